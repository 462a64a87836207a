package dev.quant4j.quantizers.compressed;

/**
 * A float in {@code [-448, 448]} rounded to the nearest float8_e4m3fn value (ties to even), kept as
 * a float: what {@code x.to(float8_e4m3fn).to(float32)} gives, without the byte in between. Used on
 * every activation of fp8 layers, so it is bit arithmetic rather than an encode and a table lookup.
 */
final class E4m3Grid {
  private static final float MIN_NORMAL = 0x1p-6f;

  private E4m3Grid() {}

  /** {@code v} must already be clamped to ±448. */
  static float round(float v) {
    float a = Math.abs(v);
    if (a < MIN_NORMAL) {
      // subnormals: multiples of 2^-9; scaling by 512 is exact, rint ties to even
      return (float) (Math.rint(v * 512f) / 512f);
    }
    // three mantissa bits kept, round to nearest even on the 20 dropped bits; 448 is the largest
    // value and nothing below it rounds past it
    int bits = Float.floatToRawIntBits(v);
    bits += 0x7FFFF + ((bits >>> 20) & 1);
    return Float.intBitsToFloat(bits & 0xFFF00000);
  }
}
