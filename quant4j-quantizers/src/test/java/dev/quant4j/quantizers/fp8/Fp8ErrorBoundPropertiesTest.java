package dev.quant4j.quantizers.fp8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * e4m3 keeps 3 mantissa bits: a value within the scaled range is off by at most 1/16 of itself
 * (half a unit in the last place), or by half the subnormal step {@code 2^-10} times the scale near
 * zero. The scales make the largest magnitude of a block (row, token group) land on 448.
 */
class Fp8ErrorBoundPropertiesTest {
  static float[] randomWeights(long seed, int n, float spread) {
    Random rnd = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      // Log-uniform magnitudes over a few decades, so subnormal codes are exercised too.
      w[i] =
          (float) (Math.signum(rnd.nextGaussian()) * spread * Math.pow(10, -4 * rnd.nextDouble()));
    }
    return w;
  }

  static TensorView view(float[] w, int rows, int cols) {
    return new TensorView(
        "w", DType.F32, Shape.of(rows, cols), Fp8Weight.floats(w), Path.of("mem"));
  }

  static void assertWithinE4m3(float w, float d, float scale, String what) {
    float bound = (Math.abs(w) / 16f + scale * 0x1p-10f) * (1 + 1e-5f) + Float.MIN_NORMAL;
    assertTrue(Math.abs(w - d) <= bound, what + " w=" + w + " d=" + d + " bound=" + bound);
  }

  @Property(tries = 60)
  void fineGrainedErrorIsWithinHalfAnE4m3Step(
      @ForAll @IntRange(min = 1, max = 3) int rowBlocks,
      @ForAll @IntRange(min = 1, max = 3) int colBlocks,
      @ForAll @IntRange(min = 0, max = 2) int blockPow,
      @ForAll boolean ue8m0,
      @ForAll long seed,
      @ForAll @IntRange(min = -3, max = 3) int decade) {
    int b = 16 << blockPow;
    int rows = rowBlocks * b;
    int cols = colBlocks * b;
    float[] w = randomWeights(seed, rows * cols, (float) Math.pow(10, decade));
    FineGrainedFp8Config config =
        new FineGrainedFp8Config(
            "dynamic", List.of(b, b), false, null, null, ue8m0 ? "ue8m0" : "float", Map.of());
    Quantizer q = new FineGrainedFp8Method().newQuantizer(config);
    Fp8Weight fw = (Fp8Weight) q.quantize(view(w, rows, cols));
    float[] d = fw.dequantize();
    for (int i = 0; i < w.length; i++) {
      float s = fw.scale((i / cols) / b, (i % cols) / b);
      assertWithinE4m3(w[i], d[i], s, "element " + i);
    }
  }

  @Property(tries = 60)
  void fbgemmRowErrorIsWithinHalfAnE4m3Step(
      @ForAll @IntRange(min = 1, max = 8) int rows,
      @ForAll @IntRange(min = 1, max = 300) int cols,
      @ForAll long seed,
      @ForAll @IntRange(min = -3, max = 3) int decade) {
    float[] w = randomWeights(seed, rows * cols, (float) Math.pow(10, decade));
    for (int i = 0; i < w.length; i++) {
      w[i] =
          dev.quant4j.dtype.FloatConversions.bf16ToFloat(
              dev.quant4j.dtype.FloatConversions.floatToBf16(w[i]));
    }
    Quantizer q = new FbgemmFp8Method().newQuantizer(FbgemmFp8Config.DEFAULTS);
    QuantizedWeight qw = q.quantize(view(w, rows, cols));
    Fp8Weight fw = (Fp8Weight) qw;
    float[] d = qw.dequantize();
    for (int i = 0; i < w.length; i++) {
      assertWithinE4m3(w[i], d[i], fw.scale(i / cols, 0), "element " + i);
    }
  }

  @Property(tries = 100)
  void activationFakeQuantizationIsWithinHalfAStepAndSaturatesAboveTheBound(
      @ForAll @IntRange(min = 1, max = 4) int tokens,
      @ForAll @IntRange(min = 1, max = 300) int cols,
      @ForAll long seed,
      @ForAll @IntRange(min = -3, max = 3) int decade) {
    float[] x = randomWeights(seed, tokens * cols, 3 * (float) Math.pow(10, decade));
    float ub = 1200f;
    float[] fb = new float[x.length];
    new Fp8Activations.PerToken(ub).apply(x, 0, tokens, cols, fb);
    float[] fg = new float[x.length];
    new Fp8Activations.PerGroup(128, false).apply(x, 0, tokens, cols, fg);
    for (int t = 0; t < tokens; t++) {
      float s = Fp8Quantization.rowScale(x, t * cols, cols, ub);
      for (int c = 0; c < cols; c++) {
        int i = t * cols + c;
        if (Math.abs(x[i]) > ub) {
          assertEquals(Math.copySign(448f * s, x[i]), fb[i], "saturated " + i);
        } else {
          assertWithinE4m3(x[i], fb[i], s, "per-token " + i);
        }
        float gmax = 0;
        for (int j = c / 128 * 128; j < Math.min(cols, c / 128 * 128 + 128); j++) {
          gmax = Math.max(gmax, Math.abs(x[t * cols + j]));
        }
        assertWithinE4m3(x[i], fg[i], gmax / 448f, "per-group " + i);
      }
    }
  }
}
