package dev.quant4j.dtype;

/**
 * Exact conversions between float and the narrow float formats of checkpoints.
 *
 * <p>Every narrow value is exactly representable as a float, so decoding is exact. Encoding rounds
 * to nearest, ties to even, as PyTorch's casts do; NaN stays NaN. Formats without infinity differ
 * in what an overflow becomes, and each encoder says which rule it follows.
 *
 * <p>The 8-bit and 4-bit decoders are table lookups: tables are built once, never mutated, and keep
 * the per-element cost of a tensor copy at one load.
 */
public final class FloatConversions {
  private FloatConversions() {}

  private static final float[] E4M3 = MiniFloat.E4M3FN.table();
  private static final float[] E5M2 = MiniFloat.E5M2.table();
  private static final float[] E4M3FNUZ = MiniFloat.E4M3FNUZ.table();
  private static final float[] E5M2FNUZ = MiniFloat.E5M2FNUZ.table();
  private static final float[] E2M1 = MiniFloat.E2M1.table();
  private static final float[] F6_E2M3 = MiniFloat.E2M3.table();
  private static final float[] F6_E3M2 = MiniFloat.E3M2.table();

  /** bfloat16 to float: the bf16 bits are the high half of the float's. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** float to bfloat16, round to nearest even; NaN stays a (quiet) NaN of the same sign. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** IEEE binary16 to float (subnormals, infinities and NaN included). */
  public static float f16ToFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  /** float to IEEE binary16, round to nearest even, subnormals kept, overflow to infinity. */
  public static short floatToF16(float value) {
    return Float.floatToFloat16(value);
  }

  /** FP8 E4M3 ("fn": no infinity, only S.1111.111 is NaN, max 448). */
  public static float e4m3ToFloat(byte bits) {
    return E4M3[bits & 0xff];
  }

  /** FP8 E5M2 (IEEE-like: infinities and NaN, max 57344). */
  public static float e5m2ToFloat(byte bits) {
    return E5M2[bits & 0xff];
  }

  /** FP8 E4M3FNUZ (bias 8, no infinity, no negative zero: 0x80 is the only NaN, max 240). */
  public static float e4m3fnuzToFloat(byte bits) {
    return E4M3FNUZ[bits & 0xff];
  }

  /** FP8 E5M2FNUZ (bias 16, no infinity, no negative zero: 0x80 is the only NaN, max 57344). */
  public static float e5m2fnuzToFloat(byte bits) {
    return E5M2FNUZ[bits & 0xff];
  }

  /** FP8 E8M0, the unsigned power-of-two scale of the MX formats: 2^(bits - 127), 0xff is NaN. */
  public static float e8m0ToFloat(byte bits) {
    int e = bits & 0xff;
    return e == 0xff ? Float.NaN : Math.scalb(1.0f, e - 127);
  }

  /** FP4 E2M1 from the low four bits of {@code nibble}: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}. */
  public static float f4e2m1ToFloat(int nibble) {
    return E2M1[nibble & 0xf];
  }

  /** FP6 E2M3 from the low six bits of {@code code} (all finite, max 7.5). */
  public static float f6e2m3ToFloat(int code) {
    return F6_E2M3[code & 0x3f];
  }

  /** FP6 E3M2 from the low six bits of {@code code} (all finite, max 28). */
  public static float f6e3m2ToFloat(int code) {
    return F6_E3M2[code & 0x3f];
  }

  /**
   * float to FP8 E4M3 as {@code tensor.to(torch.float8_e4m3fn)} does: round to nearest even, and
   * anything that rounds past 448 (infinities included) becomes NaN, not 448. Quantizers that want
   * saturation use {@link #floatToE4M3Saturating}.
   */
  public static byte floatToE4M3(float value) {
    return (byte) MiniFloat.E4M3FN.encode(value, false);
  }

  /** float to FP8 E4M3, round to nearest even, saturating at ±448; NaN stays NaN. */
  public static byte floatToE4M3Saturating(float value) {
    return (byte) MiniFloat.E4M3FN.encode(value, true);
  }

  /**
   * float to FP8 E5M2 as {@code tensor.to(torch.float8_e5m2)} does: round to nearest even, overflow
   * to infinity.
   */
  public static byte floatToE5M2(float value) {
    return (byte) MiniFloat.E5M2.encode(value, false);
  }
}
