package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The activation quantization and the int8 codebook of {@link ActivationPrecision#INT8}. */
class Int8ActivationsPropertiesTest {

  @Property(tries = 300)
  void quantizedActivationsAreWithinHalfAStep(
      @ForAll @Size(min = 1, max = 200) List<@FloatRange(min = -1e4f, max = 1e4f) Float> values) {
    int n = values.size();
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = values.get(i);
    }
    short[] q = new short[n];
    float[] d = new float[Int8Activations.chunks(n)];
    Int8Activations.quantize(x, 0, n, q, 0, d, 0);
    float[] fake = new float[n];
    Int8Activations.fakeQuantize(x, 0, 1, n, fake);
    for (int c0 = 0; c0 < n; c0 += Int8Activations.CHUNK) {
      int k = c0 / Int8Activations.CHUNK;
      double amax = 0;
      for (int c = c0; c < Math.min(n, c0 + Int8Activations.CHUNK); c++) {
        amax = Math.max(amax, Math.abs(x[c]));
      }
      assertEquals((float) amax / 127f, d[k], "scale of chunk " + k);
      boolean reachesFullScale = amax == 0;
      for (int c = c0; c < Math.min(n, c0 + Int8Activations.CHUNK); c++) {
        assertTrue(Math.abs(q[c]) <= 127, "code " + q[c]);
        // Half a step, plus the roundings of d and of x * inv.
        double err = Math.abs(x[c] - q[c] * (double) d[k]);
        assertTrue(err <= 0.5 * d[k] + 1e-5 * amax, "x=" + x[c] + " q=" + q[c] + " d=" + d[k]);
        // Numerically equal (the short code drops the sign of rint's -0.0).
        assertTrue(q[c] * d[k] == fake[c], "fake-quantized " + fake[c] + " vs q * d");
        reachesFullScale |= Math.abs(q[c]) == 127;
      }
      assertTrue(reachesFullScale, "the largest magnitude of chunk " + k + " maps to +-127");
    }
  }

  @Property(tries = 50)
  void quantizationIsSignSymmetric(
      @ForAll @Size(min = 1, max = 70) List<@FloatRange(min = -100f, max = 100f) Float> values) {
    int n = values.size();
    float[] x = new float[n];
    float[] neg = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = values.get(i);
      neg[i] = -x[i];
    }
    short[] q = new short[n];
    short[] qn = new short[n];
    float[] d = new float[Int8Activations.chunks(n)];
    Int8Activations.quantize(x, 0, n, q, 0, d, 0);
    Int8Activations.quantize(neg, 0, n, qn, 0, d, 0);
    for (int i = 0; i < n; i++) {
      assertEquals(-q[i], qn[i], "element " + i); // round half to even is symmetric
    }
  }

  @Test
  void tiesRoundToEven() {
    // amax 127 gives inv = 1: x itself is rounded.
    float[] x = {127f, 0.5f, 1.5f, 2.5f, -2.5f, -0.5f};
    short[] q = new short[x.length];
    float[] d = new float[1];
    Int8Activations.quantize(x, 0, x.length, q, 0, d, 0);
    assertEquals(
        List.of((short) 127, (short) 0, (short) 2, (short) 2, (short) -2, (short) 0),
        List.of(q[0], q[1], q[2], q[3], q[4], q[5]));
  }

  @Test
  void codebookRoundsToInt8StepsOfItsLargestMagnitude() {
    for (Codebook book : List.of(Fixtures.NF4, Fixtures.FP4)) {
      float step = book.int8Step();
      assertEquals(1f / 127f, step);
      Codebook rounded = book.roundedToInt8();
      assertEquals(rounded, rounded.roundedToInt8());
      for (int i = 0; i < Codebook.SIZE; i++) {
        int code = book.int8Code(i);
        assertTrue(Math.abs(book.get(i) - code * step) <= step / 2 * (1 + 1e-6), "entry " + i);
        assertEquals(code * step, rounded.get(i));
      }
      assertEquals(127, Math.abs(book.int8Code(book == Fixtures.NF4 ? 15 : 3)));
    }
  }
}
