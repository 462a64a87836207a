package dev.quant4j.kernels;

/**
 * FP8 E4M3 ({@code float8_e4m3fn}: bias 7, no infinities, {@code S.1111.111} is NaN, largest finite
 * 448) widened to float32. The kernels decode with the same trick in vector lanes: the 7 magnitude
 * bits shifted into a float's exponent and mantissa fields read as a float that is exactly {@code
 * 2^-120} times the value, subnormals included, so one multiply by {@code 2^120} finishes it.
 */
public final class E4m3 {
  /** {@code 2^120}: moves an e4m3 exponent (bias 7) to float32's (bias 127). */
  public static final float EXPONENT_SHIFT = 0x1p120f;

  private E4m3() {}

  /** The value of {@code code}; NaN for the two NaN codes. */
  public static float toFloat(byte code) {
    int magnitude = code & 0x7F;
    if (magnitude == 0x7F) {
      return Float.NaN;
    }
    float f = Float.intBitsToFloat(magnitude << 20) * EXPONENT_SHIFT;
    return code < 0 ? -f : f;
  }

  /** Whether {@code code} is one of the two NaN codes. */
  public static boolean isNaN(byte code) {
    return (code & 0x7F) == 0x7F;
  }
}
