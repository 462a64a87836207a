package dev.quant4j.quantizers.compressed;

import dev.quant4j.kernels.ActivationQuantizer;

/**
 * compressed-tensors' dynamic input activation quantization ({@code dynamic: true}, strategy {@code
 * token} or {@code group}), fake-quantized as its {@code forward_quantize} does: per token row (or
 * per group of {@code groupSize} columns of a row), {@code min = min(min, 0)}, {@code max =
 * max(max, 0)}, the scale and zero point of {@code calculate_qparams}, then {@code q =
 * round(clamp(x / scale + zp))} (int) or {@code e4m3(clamp(x / scale, ±448))} (fp8) and {@code (q -
 * zp) * scale}. quant4j's activations are float32, so every step rounds to float32 (transformers
 * running a bf16 model would round them to bf16 and replace a zero scale by bf16's eps instead).
 *
 * @param isFloat fp8 e4m3 rather than int
 * @param bits int bits (8 for fp8)
 * @param symmetric no zero point
 * @param groupSize columns per scale, or 0 for one scale per token row
 */
record DynamicActivations(boolean isFloat, int bits, boolean symmetric, int groupSize)
    implements ActivationQuantizer {
  private static final float F32_EPS = 0x1p-23f;

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    int span = groupSize == 0 ? cols : groupSize;
    if (cols % span != 0) {
      throw new IllegalArgumentException(
          "activation groups of " + span + " do not divide " + cols + " columns");
    }
    for (int t = 0; t < tokens; t++) {
      for (int from = 0; from < cols; from += span) {
        quantize(src, srcOff + t * cols + from, span, dst, t * cols + from);
      }
    }
  }

  private void quantize(float[] src, int at, int n, float[] dst, int out) {
    float min = 0f;
    float max = 0f;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, src[at + i]);
      max = Math.max(max, src[at + i]);
    }
    float qmin = isFloat ? -MinMaxQuantization.FP8_MAX : -(1 << (bits - 1));
    float qmax = isFloat ? MinMaxQuantization.FP8_MAX : (1 << (bits - 1)) - 1;
    float scale;
    float zp = 0f;
    if (symmetric) {
      scale = Math.max(Math.abs(min), Math.abs(max)) / ((qmax - qmin) / 2);
    } else {
      scale = (max - min) / (qmax - qmin);
      float z = qmin - min / scale;
      zp = Float.isNaN(z) ? 0f : (float) Math.rint(Math.clamp(z, qmin, qmax));
    }
    if (scale == 0f) {
      scale = F32_EPS;
    }
    for (int i = 0; i < n; i++) {
      float t = src[at + i] / scale + zp;
      float q =
          isFloat
              ? E4m3Grid.round(Math.clamp(t, qmin, qmax))
              : (float) Math.rint(Math.clamp(t, qmin, qmax));
      dst[out + i] = (q - zp) * scale;
    }
  }
}
