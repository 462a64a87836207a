package dev.quant4j.quantizers.bitnet;

/**
 * BitNet b1.58's weight quantization ({@code WeightQuant}), in float32: {@code s = 1 / max(mean|W|,
 * 1e-5)} over the whole matrix, {@code t = clamp(round_half_even(W * s), -1, 1)}; the layer's
 * weight is then {@code t / s}.
 *
 * <p>torch sums {@code |W|} in float32 with pairwise partial sums; here the sum is exact (double)
 * and rounded once to float32, which can differ from torch's by an ulp or so of the mean. A ternary
 * code can then differ only where {@code |W * s|} lies within a few ulps of 0.5.
 */
final class AbsmeanTernarizer {
  static final float MIN_MEAN = 1e-5f;

  private AbsmeanTernarizer() {}

  /** The multiplier {@code s} of the first {@code n} values. */
  static float multiplier(float[] w, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.abs(w[i]);
    }
    float mean = (float) sum / n;
    return 1f / Math.max(mean, MIN_MEAN);
  }

  /**
   * The ternary values {@code -1, 0, 1} of the first {@code n} values under multiplier {@code s}.
   */
  static byte[] ternarize(float[] w, int n, float s) {
    byte[] t = new byte[n];
    for (int i = 0; i < n; i++) {
      t[i] = (byte) Math.clamp((long) Math.rint(w[i] * s), -1, 1);
    }
    return t;
  }
}
