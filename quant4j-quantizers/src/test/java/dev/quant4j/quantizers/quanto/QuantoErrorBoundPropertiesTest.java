package dev.quant4j.quantizers.quanto;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.WeightMatrix;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Bounds quanto's dequantization error, and the distance between quanto's dequantized values and
 * what the kernel layouts compute with, on random bf16 weights of assorted shapes and scales.
 */
class QuantoErrorBoundPropertiesTest {
  private static final int[] COLS = {32, 64, 96, 128, 160, 256, 384};

  @Property(tries = 60)
  void dequantizationErrorIsBounded(
      @ForAll("qtypes") QuantoQtype qtype,
      @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 0, max = 6) int colsIndex,
      @ForAll @FloatRange(min = 0.01f, max = 50f) float magnitude,
      @ForAll long seed) {
    int cols = COLS[colsIndex];
    float[] w = randomBf16(rows * cols, magnitude, seed);
    QuantoLinear q = QuantoWeightQuantizer.quantize(qtype, WeightDtype.BF16, w, rows, cols);
    float[] dq = q.dequantize();
    float[] scale = q.scale();
    float[] shift = q.shift();
    int gs = q.groupSize() == 0 ? cols : q.groupSize();
    for (int i = 0; i < w.length; i++) {
      int g = qtype.isPacked() ? i / gs : i / cols;
      float s = scale[g];
      double err = Math.abs(dq[i] - w[i]);
      double bound =
          switch (qtype) {
            // round(bf16(w / s)): half a step plus the bf16 rounding of w / s (<= 2^-9 of 127)
            case QINT8 -> 0.75 * s + 0x1p-8 * Math.abs(dq[i]);
            // 3 mantissa bits: half an ulp of e4m3 is 2^-4 relative; subnormals step by 2^-9 * s
            case QFLOAT8 -> 0x1p-4 * 1.05 * Math.abs(w[i]) + 0x1p-9 * s + 0x1p-8 * Math.abs(dq[i]);
            // half a step, the bf16 roundings of w + shift, of (w + shift) / s and of s*q - shift
            case QINT4, QINT2 ->
                0.5 * s
                    + 0x1p-8 * (Math.abs(w[i]) + Math.abs(shift[g]))
                    + 0x1p-8 * (Math.abs(dq[i]) + Math.abs(shift[g]) + ((1 << qtype.bits()) * s));
          };
      assertTrue(
          err <= bound,
          qtype + " element " + i + ": w=" + w[i] + " dq=" + dq[i] + " err=" + err + " > " + bound);
    }
  }

  @Property(tries = 60)
  void kernelLayoutsComputeWithQuantosValues(
      @ForAll("qtypes") QuantoQtype qtype,
      @ForAll @IntRange(min = 1, max = 6) int rows,
      @ForAll @IntRange(min = 0, max = 6) int colsIndex,
      @ForAll @FloatRange(min = 0.01f, max = 50f) float magnitude,
      @ForAll long seed) {
    int cols = COLS[colsIndex];
    float[] w = randomBf16(rows * cols, magnitude, seed);
    QuantoLinear q = QuantoWeightQuantizer.quantize(qtype, WeightDtype.BF16, w, rows, cols);
    float[] dq = q.dequantize();
    WeightMatrix m = q.matrix();
    float[] shift = q.shift();
    float[] scale = q.scale();
    byte[] codes = q.codes();
    int gs = q.groupSize() == 0 ? cols : q.groupSize();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        float k =
            switch (m) {
              case Int8RowMatrix im -> im.code(r, c) * im.rowFactor(r);
              case Fp8Matrix fm -> fm.get(r, c);
              case GroupedIntMatrix gm -> gm.get(r, c);
              default -> throw new AssertionError("unexpected layout " + m);
            };
        // quanto rounds its dequantized value to bf16 (half an ulp: 2^-8 relative), the affine
        // types twice (s * q, then - shift); the layouts compute in float32, with shift / scale as
        // the zero for the affine types.
        double extra =
            shift == null
                ? 0
                : 0x1p-20 * Math.abs(shift[i / gs])
                    + 0x1p-8 * Math.abs(scale[i / gs] * (codes[i] & 0xFF));
        double bound = 0x1p-8 * Math.abs(dq[i]) + 0x1p-20 * Math.abs(k) + extra + 1e-30;
        assertTrue(
            Math.abs(k - dq[i]) <= bound,
            qtype + " (" + r + ", " + c + "): kernel " + k + " vs quanto " + dq[i]);
      }
    }
  }

  @Property(tries = 20)
  void constantAndZeroRowsStayExact(
      @ForAll("qtypes") QuantoQtype qtype, @ForAll @FloatRange(min = -4f, max = 4f) float value) {
    float v = bf16(value);
    int cols = 256;
    float[] w = new float[2 * cols];
    java.util.Arrays.fill(w, 0, cols, v); // a constant row; the second row stays zero
    QuantoLinear q = QuantoWeightQuantizer.quantize(qtype, WeightDtype.BF16, w, 2, cols);
    float[] dq = q.dequantize();
    for (int i = 0; i < w.length; i++) {
      float expected = w[i];
      float tolerance = qtype.isPacked() ? 0f : Math.abs(expected) * 0x1p-4f;
      assertTrue(Math.abs(dq[i] - expected) <= tolerance, qtype + " " + i + ": " + dq[i]);
      float k = q.matrix() instanceof GroupedIntMatrix g ? g.get(i / cols, i % cols) : dq[i];
      assertTrue(Float.isFinite(k) && Math.abs(k - expected) <= tolerance + 1e-6f, "kernel " + k);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<QuantoQtype> qtypes() {
    return net.jqwik.api.Arbitraries.of(QuantoQtype.class);
  }

  static float[] randomBf16(int n, float magnitude, long seed) {
    Random rnd = new Random(seed);
    float[] w = new float[n];
    float offset = (float) rnd.nextGaussian() * magnitude * 0.3f;
    for (int i = 0; i < n; i++) {
      w[i] = bf16((float) rnd.nextGaussian() * magnitude + (i % 7 == 0 ? offset : 0));
    }
    return w;
  }

  static float bf16(float x) {
    return FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(x));
  }
}
