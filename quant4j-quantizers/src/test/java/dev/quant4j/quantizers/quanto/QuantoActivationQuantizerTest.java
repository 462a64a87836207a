package dev.quant4j.quantizers.quanto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

/** quanto's static activation rounding: half to even for int8, e4m3 saturation for float8. */
class QuantoActivationQuantizerTest {
  @Test
  void int8RoundsHalfToEvenAndClamps() {
    var q = new QuantoActivationQuantizer(false, 0.5f);
    float[] in = {0.25f, 0.75f, -0.25f, 1.25f, 100f, -100f, 0f};
    float[] out = new float[in.length];
    q.apply(in, 0, 1, in.length, out);
    // x / 0.5 = 0.5, 1.5, -0.5, 2.5 -> 0, 2, -0, 2; then clamped to [-128, 127] * 0.5
    assertArrayEquals(new float[] {0f, 1f, -0f, 1f, 63.5f, -64f, 0f}, out);
  }

  @Test
  void float8SaturatesAt448() {
    var q = new QuantoActivationQuantizer(true, 2f);
    assertEquals(896f, q.fakeQuantize(5000f));
    assertEquals(-896f, q.fakeQuantize(-5000f));
    assertEquals(2f * 1.125f, q.fakeQuantize(2.2f)); // 1.1 -> e4m3 1.125 (3 mantissa bits)
    assertThrows(IllegalArgumentException.class, () -> new QuantoActivationQuantizer(true, 0f));
  }

  @Property(tries = 200)
  void errorIsHalfAStepInsideTheRange(
      @ForAll @FloatRange(min = -100f, max = 100f) float x, @ForAll boolean fp8) {
    float scale = fp8 ? 100f / 448f : 100f / 127f;
    var q = new QuantoActivationQuantizer(fp8, scale);
    float y = q.fakeQuantize(x);
    double bound = fp8 ? Math.abs(x) * 0x1p-4 + scale * 0x1p-9 : scale * 0.5 * 1.0001;
    assertTrue(Math.abs(y - x) <= bound + 1e-6, x + " -> " + y);
  }
}
