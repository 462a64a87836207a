package dev.quant4j.quantizers.hqq;

import dev.quant4j.quantizers.common.FloatScratch;

/**
 * hqq's {@code Quantizer.quantize} for {@code axis=1} with the default solver, {@code
 * optimize_weights_proximal_legacy}, as hqq 0.2.x runs it on a CPU: every step in float32 with the
 * rounding of each PyTorch op ({@code max_v / denom} is {@code reciprocal(denom) * max_v}, {@code
 * round} is half-to-even), and the zero points' means summed in ATen's order ({@link TorchSum}).
 *
 * <p>The grouped matrix is {@code [R, C]} with {@code C = groupSize}: group {@code r} is the
 * elements {@code [r*C, (r+1)*C)} of the row-major weight. Stateless and thread-safe.
 */
final class HqqAlgorithm {
  /** The proximal solver's settings, hqq's defaults. */
  static final double LP_NORM = 0.7;

  static final double BETA = 10.0;
  static final double KAPPA = 1.01;
  static final int ITERS = 20;

  private HqqAlgorithm() {}

  /**
   * The result in float32, before hqq casts the meta data to the compute dtype.
   *
   * @param codes one code per element, in the weight's row-major order
   * @param scale per group, the dequantization multiplier ({@code 1 / scale} of the solver)
   * @param zero per group, the zero point (fractional after optimization)
   * @param iterations solver iterations run (0 without optimization)
   */
  record Result(byte[] codes, float[] scale, float[] zero, int iterations) {}

  /**
   * Quantizes {@code w} (float32, row-major, {@code groups * groupSize} values; not changed).
   *
   * @param sum the summation order of the machine to reproduce
   */
  static Result quantize(
      float[] w,
      int groups,
      int groupSize,
      int nbits,
      boolean optimize,
      boolean roundZero,
      TorchSum sum) {
    return quantize(w, groups, groupSize, nbits, optimize, roundZero, sum, new FloatScratch());
  }

  /**
   * As {@link #quantize(float[], int, int, int, boolean, boolean, TorchSum)}, with the solver's two
   * weight-sized working arrays borrowed from {@code scratch} (a model's worth of them would
   * otherwise be garbage that grows the heap).
   */
  static Result quantize(
      float[] w,
      int groups,
      int groupSize,
      int nbits,
      boolean optimize,
      boolean roundZero,
      TorchSum sum,
      FloatScratch scratch) {
    int n = groups * groupSize;
    if (w.length < n) {
      throw new IllegalArgumentException(w.length + " values for " + n);
    }
    float maxV = (1 << nbits) - 1;
    float[] scale = new float[groups];
    float[] zero = new float[groups];
    for (int r = 0; r < groups; r++) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = r * groupSize, end = c + groupSize; c < end; c++) {
        min = Math.min(min, w[c]);
        max = Math.max(max, w[c]);
      }
      float denom = max - min;
      float s = (1f / denom) * maxV;
      if (Math.abs(denom) <= 1e-4f) {
        s = 1f; // hqq: "avoid small denom values"
      }
      s = Math.min(s, 2e4f);
      float z = -min * s;
      scale[r] = s;
      zero[r] = roundZero ? (float) Math.rint(z) : z;
    }
    int iterations = optimize ? optimizeZeros(w, scale, zero, groupSize, maxV, sum, scratch) : 0;
    byte[] codes = new byte[n];
    for (int r = 0; r < groups; r++) {
      float s = scale[r];
      float z = zero[r];
      for (int c = r * groupSize, end = c + groupSize; c < end; c++) {
        codes[c] = (byte) quant(w[c], s, z, maxV);
      }
      // meta["scale"] = 1.0 / scale: a reciprocal, then times 1.0.
      scale[r] = 1f / s;
    }
    return new Result(codes, scale, zero, iterations);
  }

  /** {@code round(w * scale + zero).clamp(0, max_v)}, each op rounded to float32. */
  private static float quant(float w, float scale, float zero, float maxV) {
    float v = (float) Math.rint(w * scale + zero);
    // ATen's clamp is min(hi, max(lo, v)) with SSE semantics: a -0.0 stays -0.0.
    return v < 0f ? 0f : (v > maxV ? maxV : v);
  }

  /**
   * {@code optimize_weights_proximal_legacy}: updates {@code zero} in place and returns the number
   * of iterations run. The zero is updated before the stopping test, and kept when it stops.
   */
  private static int optimizeZeros(
      float[] w,
      float[] scale,
      float[] zero,
      int groupSize,
      float maxV,
      TorchSum sum,
      FloatScratch scratch) {
    int groups = scale.length;
    int n = groups * groupSize;
    // fully written before it is read in every iteration
    float[] error = scratch.borrow(n);
    try {
      return solve(w, scale, zero, groupSize, maxV, sum, error);
    } finally {
      scratch.giveBack(error);
    }
  }

  private static int solve(
      float[] w,
      float[] scale,
      float[] zero,
      int groupSize,
      float maxV,
      TorchSum sum,
      float[] error) {
    int groups = scale.length;
    int n = groups * groupSize;
    // A group's new zero is the mean of its own targets only (and the sum depends only on the
    // values and their count), so one group's worth of targets at a time gives the same bits.
    float[] target = new float[groupSize];
    // torch.pow(|x|, lp_norm - 1) takes the exponent as a float32 scalar.
    double exponent = (float) (LP_NORM - 1);
    double beta = BETA;
    double best = 1e4;
    int it = 0;
    while (it < ITERS) {
      float invBeta = (float) (1.0 / beta); // a Python float times a float32 tensor
      // |x| - invBeta * |x|^e is negative, so shrinks to 0, for every |x| below
      // invBeta^(1 / (1 - e)); the margin is far above float rounding, so skipping pow there
      // changes no bit, and most errors are that small.
      double noShrinkBelow = Math.pow(invBeta * (1 - 1e-6), 1 / (1 - exponent));
      for (int r = 0; r < groups; r++) {
        float s = scale[r];
        float z = zero[r];
        for (int c = r * groupSize, end = c + groupSize; c < end; c++) {
          float wc = w[c];
          float wq = quant(wc, s, z, maxV);
          float wr = (wq - z) / s;
          float x = wc - wr;
          float ax = Math.abs(x);
          // W_f - W_e, with W_e = sign(x) * relu(|x| - invBeta * |x|^e): W_f itself when the
          // shrink is zero, as it is for nearly every element.
          float kept = wc;
          if (ax >= noShrinkBelow) {
            float shrunk = ax - invBeta * (float) Math.pow(ax, exponent);
            if (shrunk > 0f) {
              kept = x > 0f ? wc - shrunk : wc + shrunk;
            }
          }
          target[c - r * groupSize] = wq - kept * s;
          error[c] = ax;
        }
        zero[r] = sum.sum(target, 0, groupSize) / groupSize;
      }
      beta *= KAPPA;
      it++;
      double current = sum.sum(error, 0, n) / (float) n;
      if (current < best) {
        best = current;
      } else {
        break;
      }
    }
    return it;
  }
}
