package dev.quant4j.quantizers.fp8;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.ActivationQuantizer;

/**
 * The FP8 methods' activation quantizations, fake-quantized in float (quantize to e4m3, multiply
 * back by the scale) with the references' rounding, so the kernels see the inputs the FP8 GEMMs
 * see. Records: stateless and thread-safe.
 */
final class Fp8Activations {
  private Fp8Activations() {}

  /**
   * FBGEMM FP8: one scale per token, {@code s = max(min(amax, ub) / 448, 1 / (448 * 512))}, {@code
   * q = e4m3_satfinite(x / s)}; values above {@code ub} saturate at ±448. (FBGEMM's kernel reads
   * its input as bfloat16, which transformers' activations already are; quant4j's are float32 and
   * are not rounded to bfloat16 first.)
   */
  record PerToken(float upperBound) implements ActivationQuantizer {
    @Override
    public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
      for (int t = 0; t < tokens; t++) {
        int from = srcOff + t * cols;
        float s = Fp8Quantization.rowScale(src, from, cols, upperBound);
        for (int c = 0; c < cols; c++) {
          byte q = E4m3Encoder.saturating(src[from + c] / s);
          dst[t * cols + c] = FloatConversions.e4m3ToFloat(q) * s;
        }
      }
    }
  }

  /**
   * Fine-grained FP8, dynamic: per token and group of {@code group} columns (the weight's block
   * width; the last group may be partial), {@code a_s = amax / 448} (rounded up to a power of two
   * by its bits when {@code ue8m0}), {@code q = e4m3_sat(x / max(a_s, 1e-12))}, back as {@code q *
   * a_s}.
   */
  record PerGroup(int group, boolean ue8m0) implements ActivationQuantizer {
    PerGroup {
      if (group <= 0) {
        throw new IllegalArgumentException("activation group must be positive, got " + group);
      }
    }

    @Override
    public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
      for (int t = 0; t < tokens; t++) {
        int from = srcOff + t * cols;
        for (int g = 0; g < cols; g += group) {
          int end = Math.min(cols, g + group);
          float amax = 0f;
          for (int c = g; c < end; c++) {
            amax = Math.max(amax, Math.abs(src[from + c]));
          }
          float s = amax / Fp8Quantization.E4M3_MAX;
          if (ue8m0) {
            s = Float.intBitsToFloat((Float.floatToRawIntBits(s) + 0x7FFFFF) & 0x7F800000);
          }
          float divisor = Math.max(s, 1e-12f);
          for (int c = g; c < end; c++) {
            byte q = E4m3Encoder.saturating(src[from + c] / divisor);
            dst[t * cols + c] = FloatConversions.e4m3ToFloat(q) * s;
          }
        }
      }
    }
  }

  /**
   * Fine-grained FP8, static: one calibrated per-tensor {@code activation_scale} from the
   * checkpoint, {@code q = e4m3_sat(x / scale)}, back as {@code q * scale} (the reference kernel's
   * exact op order is not confirmed; division as in the dynamic path).
   */
  record PerTensor(float scale) implements ActivationQuantizer {
    @Override
    public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
      for (int i = 0; i < tokens * cols; i++) {
        byte q = E4m3Encoder.saturating(src[srcOff + i] / scale);
        dst[i] = FloatConversions.e4m3ToFloat(q) * scale;
      }
    }
  }
}
