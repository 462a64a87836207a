package dev.quant4j.quantizers.bitnet;

import dev.quant4j.kernels.ActivationQuantizer;

/**
 * BitNet's per-token int8 activations ({@code ActQuant} / {@code BitLinear.activation_quant}):
 * {@code s = 127 / max(max|x|, 1e-5)} (as torch evaluates it: {@code reciprocal * 127}), {@code q =
 * clamp(round_half_even(x * s), -128, 127)}, and the layer sees {@code q / s}. transformers'
 * AutoBitLinear computes this in float32 as here; BitLinear computes it in the model dtype, which
 * quant4j does not emulate (it computes in float32 throughout).
 *
 * <p>With {@code use_rms_norm} each token row is first RMS-normalized ({@code LlamaRMSNorm}: {@code
 * x / sqrt(mean(x^2) + eps) * weight}), which is also a per-row transform.
 *
 * <p>Immutable and stateless, as the kernels require.
 */
final class BitNetActivations implements ActivationQuantizer {
  static final float MIN_ABSMAX = 1e-5f;
  static final BitNetActivations PLAIN = new BitNetActivations(null, 1e-6f);

  private final float[] rmsNormWeight;
  private final float rmsNormEps;

  /**
   * @param rmsNormWeight the layer's {@code rms_norm.weight} as floats (copied), or null without
   *     the norm
   * @param rmsNormEps the norm's epsilon
   */
  BitNetActivations(float[] rmsNormWeight, float rmsNormEps) {
    this.rmsNormWeight = rmsNormWeight == null ? null : rmsNormWeight.clone();
    this.rmsNormEps = rmsNormEps;
  }

  boolean hasRmsNorm() {
    return rmsNormWeight != null;
  }

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    for (int t = 0; t < tokens; t++) {
      int in = srcOff + t * cols;
      int out = t * cols;
      if (rmsNormWeight != null) {
        normalize(src, in, cols, dst, out);
        quantizeRow(dst, out, cols, dst, out);
      } else {
        quantizeRow(src, in, cols, dst, out);
      }
    }
  }

  private void normalize(float[] src, int in, int cols, float[] dst, int out) {
    float sum = 0f;
    for (int i = 0; i < cols; i++) {
      sum += src[in + i] * src[in + i];
    }
    float inv = (float) (1.0 / Math.sqrt(sum / cols + rmsNormEps));
    for (int i = 0; i < cols; i++) {
      dst[out + i] = rmsNormWeight[i] * (src[in + i] * inv);
    }
  }

  /** One token row; {@code src} and {@code dst} may be the same array. */
  static void quantizeRow(float[] src, int in, int cols, float[] dst, int out) {
    float absmax = 0f;
    for (int i = 0; i < cols; i++) {
      absmax = Math.max(absmax, Math.abs(src[in + i]));
    }
    // torch evaluates 127 / t as reciprocal(t) * 127: two float32 roundings
    float s = (1f / Math.max(absmax, MIN_ABSMAX)) * 127f;
    for (int i = 0; i < cols; i++) {
      float q = Math.clamp((float) Math.rint(src[in + i] * s), -128f, 127f);
      dst[out + i] = q / s;
    }
  }
}
