package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.ActivationQuantizer;

/**
 * NVFP4 input activations ({@code dynamic: "local"}, strategy {@code tensor_group}, groups of 16),
 * fake-quantized as compressed-tensors' {@code forward_quantize} does with the checkpoint's static
 * {@code input_global_scale} {@code g}: per group of 16 columns of a token row, {@code amax =
 * max(|min(min, 0)|, max(max, 0))}, {@code scale = e4m3(clamp(g * (amax / 6), ±448))} (0 becomes
 * 0.125), {@code s = scale / g}, {@code x' = fp4(clamp(x / s, ±6)) * s}. quant4j's activations are
 * float32, so every step is a float32 operation, as the reference running a float32 model.
 *
 * @param globalScale {@code input_global_scale}, finite and positive
 */
record Nvfp4Activations(float globalScale) implements ActivationQuantizer {
  static final int GROUP = 16;

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    if (cols % GROUP != 0) {
      throw new IllegalArgumentException(
          "NVFP4 activation groups of 16 do not divide " + cols + " columns");
    }
    for (int t = 0; t < tokens; t++) {
      for (int from = 0; from < cols; from += GROUP) {
        int at = srcOff + t * cols + from;
        int out = t * cols + from;
        float amax = 0f;
        for (int i = 0; i < GROUP; i++) {
          amax = Math.max(amax, Math.abs(src[at + i]));
        }
        float scale =
            FloatConversions.e4m3ToFloat(
                FloatConversions.floatToE4M3(Math.clamp(globalScale * (amax / 6f), -448f, 448f)));
        if (scale == 0f) {
          scale = 0.125f;
        }
        float s = scale / globalScale;
        for (int i = 0; i < GROUP; i++) {
          float q = Fp4E2m1.value(Fp4E2m1.code(Math.clamp(src[at + i] / s, -6f, 6f)));
          dst[out + i] = q * s;
        }
      }
    }
  }
}
