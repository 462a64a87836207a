package dev.quant4j.quantizers.compressed;

import dev.quant4j.kernels.Codebook;

/**
 * FP4 E2M1 as compressed-tensors stores it: a nibble {@code sign << 3 | index} into the magnitudes
 * {@code 0, 0.5, 1, 1.5, 2, 3, 4, 6}, and the rounding of {@code FP4_E2M1_DATA.cast_to_fp4}
 * (thresholds with ties to the even code: 0.25 to 0, 0.75 to 1, 1.25 to 1, 1.75 to 2, 2.5 to 2, 3.5
 * to 4, 5 to 4).
 */
final class Fp4E2m1 {
  /** The 16 values by code, the codebook of the kernels' 4-bit layout. */
  static final Codebook CODEBOOK =
      Codebook.of(0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f);

  /** The largest magnitude. */
  static final float MAX = 6f;

  private Fp4E2m1() {}

  /**
   * The code of {@code x} (already clamped to ±6). The reference computes {@code |x|} rounded times
   * {@code torch.sign(x)}, so a negative value that rounds to zero becomes -0.0 (code 8: {@code
   * pack_fp4_to_uint8} takes the sign bit), while a zero of either sign gives {@code 0 * 0 = +0}.
   */
  static int code(float x) {
    float a = Math.abs(x);
    int index;
    if (a <= 0.25f) {
      index = 0;
    } else if (a < 0.75f) {
      index = 1;
    } else if (a <= 1.25f) {
      index = 2;
    } else if (a < 1.75f) {
      index = 3;
    } else if (a <= 2.5f) {
      index = 4;
    } else if (a < 3.5f) {
      index = 5;
    } else if (a <= 5f) {
      index = 6;
    } else {
      index = 7;
    }
    return x < 0 ? index | 8 : index;
  }

  /** The value of a code (0..15). */
  static float value(int code) {
    return CODEBOOK.get(code);
  }
}
