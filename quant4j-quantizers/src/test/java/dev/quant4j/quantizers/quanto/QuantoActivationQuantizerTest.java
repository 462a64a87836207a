package dev.quant4j.quantizers.quanto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.quantizers.quanto.QuantoActivationQuantizer.Scale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

/**
 * quanto's static activation rounding: half to even for int8, e4m3 saturation for float8, each op
 * rounded to its dtype; error bounds and monotonicity as properties.
 */
class QuantoActivationQuantizerTest {
  private static QuantoActivationQuantizer of(boolean fp8, WeightDtype d, float in, float out) {
    return new QuantoActivationQuantizer(fp8, d, new Scale(in, d), new Scale(out, d));
  }

  @Test
  void int8RoundsHalfToEvenAndClamps() {
    var q = of(false, WeightDtype.F32, 0.5f, 0.25f);
    float[] in = {0.25f, 0.75f, -0.25f, 1.25f, 100f, -100f, 0f, Float.NaN};
    float[] out = new float[in.length];
    q.apply(in, 0, 2, in.length / 2, out);
    // x / 0.5 = 0.5, 1.5, -0.5, 2.5 -> 0, 2, 0 (an int8 code: no -0), 2; then clamped to
    // [-128, 127] * 0.5; NaN -> 0
    assertArrayEquals(new float[] {0f, 1f, 0f, 1f, 63.5f, -64f, 0f, 0f}, out);
    float[] o = {0.125f, 0.375f, 100f, -100f};
    q.applyToOutput(o, 1, 3); // the output scale 0.25, from offset 1
    assertArrayEquals(new float[] {0.125f, 0.5f, 31.75f, -32f}, o);
  }

  @Test
  void float8SaturatesAt448() {
    var q = of(true, WeightDtype.F32, 2f, 1f);
    Scale in = q.input();
    assertEquals(896f, q.fakeQuantize(5000f, in));
    assertEquals(-896f, q.fakeQuantize(-5000f, in));
    assertEquals(2f * 1.125f, q.fakeQuantize(2.2f, in)); // 1.1 -> e4m3 1.125 (3 mantissa bits)
    assertEquals(448f, q.fakeQuantize(Float.POSITIVE_INFINITY, q.output()));
    assertThrows(IllegalArgumentException.class, () -> of(true, WeightDtype.F32, 0f, 1f));
    assertThrows(IllegalArgumentException.class, () -> of(true, WeightDtype.F32, 1f, Float.NaN));
  }

  @Test
  void theQuotientIsRoundedToTheModelDtypeFirst() {
    // torch divides in the activation dtype: bf16(2.505) = 2.5, a tie, which rounds to even (2);
    // in float32 the quotient stays 2.505 and rounds to 3.
    var bf16 = of(false, WeightDtype.BF16, 1f, 1f);
    var f32 = of(false, WeightDtype.F32, 1f, 1f);
    assertEquals(2f, bf16.fakeQuantize(2.505f, bf16.input()));
    assertEquals(3f, f32.fakeQuantize(2.505f, f32.input()));
  }

  /** Inside the range, int8 errs by half a step, float8 by 2^-4 relative (plus dtype rounding). */
  @Property(tries = 300)
  void errorIsHalfAStepInsideTheRange(
      @ForAll @FloatRange(min = -100f, max = 100f) float x,
      @ForAll boolean fp8,
      @ForAll boolean bf16) {
    WeightDtype d = bf16 ? WeightDtype.BF16 : WeightDtype.F32;
    double u = bf16 ? 0x1p-8 : 0x1p-24; // the dtype's unit roundoff
    float scale = d.round(fp8 ? 100f / 448f : 100f / 127f);
    var q = of(fp8, d, scale, scale);
    float y = q.fakeQuantize(x, q.input());
    double bound =
        fp8
            ? Math.abs(x) * (0x1p-4 + 4 * u) + scale * (0x1p-10 + u)
            : scale * (0.5 + 2 * u) + 3 * u * Math.abs(x);
    assertTrue(Math.abs(y - x) <= bound * 1.0001 + 1e-7, x + " -> " + y + " (bound " + bound + ")");
  }

  @Property(tries = 300)
  void isMonotoneAndSaturates(
      @ForAll @FloatRange(min = -1000f, max = 1000f) float a,
      @ForAll @FloatRange(min = -1000f, max = 1000f) float b,
      @ForAll boolean fp8,
      @ForAll boolean bf16) {
    WeightDtype d = bf16 ? WeightDtype.BF16 : WeightDtype.F32;
    float scale = d.round(0.7f);
    var q = of(fp8, d, scale, scale);
    float lo = q.fakeQuantize(Math.min(a, b), q.input());
    float hi = q.fakeQuantize(Math.max(a, b), q.input());
    assertTrue(lo <= hi, a + ", " + b + " -> " + lo + ", " + hi);
    float max = d.round((fp8 ? 448f : 127f) * scale);
    float min = d.round((fp8 ? -448f : -128f) * scale);
    assertTrue(lo >= min && hi <= max, lo + ".." + hi + " outside " + min + ".." + max);
  }
}
