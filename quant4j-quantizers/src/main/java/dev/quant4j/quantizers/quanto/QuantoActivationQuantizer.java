package dev.quant4j.quantizers.quanto;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.ActivationQuantizer;

/**
 * quanto's static per-tensor activation quantization ({@code quantize_activation} with a module's
 * calibrated {@code input_scale}), fake-quantized in float: int8 is {@code clamp(round_half_even(x
 * / scale), -128, 127) * scale}, float8 {@code e4m3(clamp(x / scale, -448, 448)) * scale}. quant4j
 * computes activations in float32 where quanto uses the model dtype, so the quotient is rounded
 * once (float32) instead of to bf16.
 *
 * <p>Not attached to any layer yet: a checkpoint with quantized activations also quantizes each
 * module's output with {@code output_scale}, which the kernels cannot express, so the quantizer
 * refuses such checkpoints (see {@link QuantoQuantizer}).
 *
 * @param fp8 float8 e4m3fn rather than int8
 * @param scale the positive, finite static scale
 */
record QuantoActivationQuantizer(boolean fp8, float scale) implements ActivationQuantizer {
  QuantoActivationQuantizer {
    if (!(scale > 0f) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("activation scale must be positive and finite: " + scale);
    }
  }

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    int n = tokens * cols;
    for (int i = 0; i < n; i++) {
      dst[i] = fakeQuantize(src[srcOff + i]);
    }
  }

  float fakeQuantize(float x) {
    float q = x / scale;
    if (fp8) {
      byte code = FloatConversions.floatToE4M3Saturating(Math.clamp(q, -448f, 448f));
      return FloatConversions.e4m3ToFloat(code) * scale;
    }
    return (float) Math.clamp(Math.rint(q), -128.0, 127.0) * scale;
  }
}
