package dev.quant4j.kernels;

/**
 * Symmetric int8 activations in blocks along the input, as llama.cpp's {@code Q8_0}: each block of
 * {@code blockSize} elements of a token row (the last one possibly shorter) has the scale {@code d
 * = amax / 127} and codes {@code rint(x / d)} in {@code [-127, 127]} (ties to even); {@link #apply}
 * writes {@code code * d}. An explicit choice, never a default: it changes a layer's results.
 *
 * <p>A 4-bit {@link GroupedIntMatrix} carrying it with {@code blockSize == groupSize} may take an
 * integer kernel (4-bit codes times int8 codes summed exactly in 16/32-bit lanes, one float
 * multiply per group); the scalar reference computes the same products in float on the
 * fake-quantized activations, so both agree within float rounding. Activations must be finite.
 *
 * @param blockSize elements per activation scale, positive
 */
public record Int8BlockActivations(int blockSize) implements ActivationQuantizer {
  /** The largest code magnitude. */
  public static final int MAX_CODE = 127;

  public Int8BlockActivations {
    if (blockSize <= 0) {
      throw new IllegalArgumentException(
          "int8 block activations: expected a positive block size, got " + blockSize);
    }
  }

  /** The scale of a block whose largest magnitude is {@code amax}. */
  public static float scale(float amax) {
    return amax / MAX_CODE;
  }

  /** The code of {@code x} in a block of scale {@code d} (0 when the block is all zeros). */
  public static int code(float x, float d) {
    if (d == 0f) {
      return 0;
    }
    return (int) Math.max(-MAX_CODE, Math.min(MAX_CODE, Math.rint(x / d)));
  }

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    for (int t = 0; t < tokens; t++) {
      int row = srcOff + t * cols;
      for (int b0 = 0; b0 < cols; b0 += blockSize) {
        int end = Math.min(cols, b0 + blockSize);
        float amax = 0f;
        for (int c = b0; c < end; c++) {
          amax = Math.max(amax, Math.abs(src[row + c]));
        }
        float d = scale(amax);
        for (int c = b0; c < end; c++) {
          dst[t * cols + c] = code(src[row + c], d) * d;
        }
      }
    }
  }
}
