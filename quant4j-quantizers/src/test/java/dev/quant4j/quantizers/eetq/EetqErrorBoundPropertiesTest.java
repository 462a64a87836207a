package dev.quant4j.quantizers.eetq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.kernels.Int8RowMatrix;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class EetqErrorBoundPropertiesTest {
  /**
   * EETQ divides by {@code amax / 128}: values are within half a step except the channel's extreme,
   * which lands on 128 and clips to 127 (one step); the stored float16 scale adds up to {@code
   * 2^-11} relative times the code.
   */
  @Property(tries = 100)
  void errorIsHalfAStepOrOneAtTheClippedMaximum(
      @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 1, max = 200) int cols,
      @ForAll long seed,
      @ForAll @IntRange(min = -3, max = 3) int decade) {
    Random rnd = new Random(seed);
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      w[i] =
          Float.float16ToFloat(
              Float.floatToFloat16(
                  (float) rnd.nextGaussian() * (float) Math.pow(10, Math.min(decade, 2))));
    }
    if (rows > 1) {
      java.util.Arrays.fill(w, 0, cols, 0f); // an all-zero channel
    }
    EetqQuantization.Result q = EetqQuantization.quantize(w, rows, cols);
    for (int n = 0; n < rows; n++) {
      float s = Float.float16ToFloat(q.scales()[n]);
      float amax = 0;
      for (int k = 0; k < cols; k++) {
        amax = Math.max(amax, Math.abs(w[n * cols + k]));
      }
      for (int k = 0; k < cols; k++) {
        int i = n * cols + k;
        float d = q.codes()[i] * s;
        boolean clipped = Math.abs(w[i]) / (amax / 128f) > 127.5f;
        float step = amax / 128f;
        float bound = (clipped ? step : step / 2) * (1 + 1e-5f) + 128 * Math.abs(step - s) + 1e-30f;
        assertTrue(Math.abs(w[i] - d) <= bound, "n=" + n + " k=" + k + " w=" + w[i] + " d=" + d);
      }
    }
  }

  @Property(tries = 30)
  void theInt8RowMatrixComputesExactlyTheDequantizedValues(
      @ForAll @IntRange(min = 1, max = 2) int n64, @ForAll long seed) {
    int rows = 64 * n64;
    int cols = 64;
    Random rnd = new Random(seed);
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      w[i] = Float.float16ToFloat(Float.floatToFloat16((float) rnd.nextGaussian()));
    }
    EetqQuantization.Result q = EetqQuantization.quantize(w, rows, cols);
    EetqWeight weight = new EetqWeight(q.codes(), q.scales(), rows, cols);
    Int8RowMatrix m = (Int8RowMatrix) weight.matrix();
    float[] d = weight.dequantize();
    for (int r = 0; r < rows; r++) {
      assertEquals(weight.scale(r), m.rowFactor(r), "row factor " + r);
      for (int c = 0; c < cols; c++) {
        assertEquals(d[r * cols + c], m.code(r, c) * m.rowFactor(r));
      }
    }
  }

  @Property(tries = 200)
  void roundingIsHalfAwayFromZero(@ForAll @IntRange(min = -300, max = 300) int twice) {
    float x = twice / 2f;
    float expected = (float) (Math.signum(x) * Math.floor(Math.abs(x) + 0.5));
    assertEquals(expected, EetqQuantization.roundHalfAway(x));
  }

  /** The integer fast path of roundHalfAway equals C's roundf computed through a double floor. */
  @Property
  void roundingMatchesTheFloorDefinitionForEveryFloat(@ForAll float x) {
    float t = (float) Math.floor(Math.abs(x));
    float expected = Math.copySign(Math.abs(x) - t >= 0.5f ? t + 1f : t, x);
    assertEquals(
        Float.floatToRawIntBits(expected),
        Float.floatToRawIntBits(EetqQuantization.roundHalfAway(x)),
        "roundHalfAway(" + x + ")");
  }
}
