package dev.quant4j.quantizers.fp8;

/**
 * float to FP8 E4M3 with round-to-nearest-even and saturation at ±448, by the integer steps of
 * torch's {@code fp8e4m3fn_from_fp32_value}: the same bytes as {@link
 * dev.quant4j.dtype.FloatConversions#floatToE4M3Saturating}, several times faster, which matters
 * because activations are re-quantized on every matmul.
 */
final class E4m3Encoder {
  /** {@code 480.0f}: magnitudes from here up round past 448. */
  private static final int OVERFLOW_BITS = 0x43F00000;

  /** {@code 2^-6}, the smallest normal e4m3 magnitude, as float bits ({@code 121 << 23}). */
  private static final int MIN_NORMAL_BITS = 121 << 23;

  /** {@code 2^14}: adding it rounds a magnitude below 2^-6 to the subnormal grid of 2^-9. */
  private static final float DENORMAL_MAGIC = 0x1p14f;

  private E4m3Encoder() {}

  static byte saturating(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 24) & 0x80;
    int u = bits & 0x7FFFFFFF;
    int code;
    if (u >= OVERFLOW_BITS) {
      code = u > 0x7F800000 ? 0x7F : 0x7E;
    } else if (u < MIN_NORMAL_BITS) {
      code =
          Float.floatToRawIntBits(Float.intBitsToFloat(u) + DENORMAL_MAGIC)
              - Float.floatToRawIntBits(DENORMAL_MAGIC);
    } else {
      // Rebias the exponent (127 -> 7) and round the 20 dropped mantissa bits to nearest even.
      u += ((7 - 127) << 23) + 0x7FFFF + ((u >>> 20) & 1);
      code = Math.min(u >>> 20, 0x7E);
    }
    return (byte) (code | sign);
  }
}
