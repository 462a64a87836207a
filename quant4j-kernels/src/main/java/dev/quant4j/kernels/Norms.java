package dev.quant4j.kernels;

/** The normalization factor shared by every backend, so rmsnorm agrees bit for bit across them. */
public final class Norms {
  private Norms() {}

  /**
   * {@code rsqrt(mean(x^2) + eps)} as LlamaRMSNorm computes it in float32. The sum of squares is
   * accumulated in double: a sequential float sum drifts by up to {@code n} ulps on 4096 positive
   * terms where torch's pairwise float sum does not; double keeps us at least as close to torch,
   * and the mean is rounded to float before {@code eps} is added, as in float32.
   */
  public static float inverseRms(float[] x, int off, int n, float eps) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double v = x[off + i];
      sum += v * v;
    }
    float variance = (float) (sum / n);
    return (float) (1.0 / Math.sqrt(variance + eps));
  }
}
