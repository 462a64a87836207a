package dev.quant4j.quantizers.torchao;

import dev.quant4j.kernels.ActivationQuantizer;

/**
 * torchao's dynamic per-token int8 activations ({@code Int8DynamicActivationInt8WeightConfig},
 * symmetric, PerRow): per token {@code scale = max(absmax / 127.5, FLT_EPSILON)}, {@code q =
 * clamp(round(x * (1 / scale)), -128, 127)}, and the layer sees {@code q * scale}; float32 here
 * (torchao computes the scale in the activation dtype).
 */
final class Int8Activations implements ActivationQuantizer {
  static final Int8Activations INSTANCE = new Int8Activations();

  private Int8Activations() {}

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    for (int t = 0; t < tokens; t++) {
      int in = srcOff + t * cols;
      int out = t * cols;
      float min = 0f;
      float max = 0f;
      for (int i = 0; i < cols; i++) {
        min = Math.min(min, src[in + i]);
        max = Math.max(max, src[in + i]);
      }
      float scale = Math.max(Math.max(-min, max) / 127.5f, Int8PlainFormat.EPS);
      float inv = 1f / scale;
      for (int i = 0; i < cols; i++) {
        // the codes are integers: + 0f turns rint's -0.0 into the 0 an int8 holds
        dst[out + i] = (Math.clamp((float) Math.rint(src[in + i] * inv), -128f, 127f) + 0f) * scale;
      }
    }
  }
}
