package dev.quant4j.quantizers.eetq;

/**
 * EETQ's {@code symmetric_quantize} (int8, from FasterTransformer), per output channel {@code n}:
 * {@code amax = max_k |w| / 128} (128, not 127) in float32, stored as float16; {@code q =
 * clamp(round(w / amax), -128, 127)} with C's {@code round} (half away from zero), dividing by the
 * float32 amax rather than the stored scale. An all-zero channel divides 0 by 0 and gets code 127
 * from {@code std::max(-128, std::min(127, NaN))}; its scale is 0, so its values stay 0.
 */
final class EetqQuantization {
  private EetqQuantization() {}

  /** Codes (row-major {@code [n][k]}) and float16 scale bits. */
  record Result(byte[] codes, short[] scales) {}

  /**
   * Quantizes the row-major {@code [rows = out][cols = in]} weight {@code w}, already in the
   * precision EETQ reads it in (float16 values, or float32).
   */
  static Result quantize(float[] w, int rows, int cols) {
    byte[] codes = new byte[rows * cols];
    short[] scales = new short[rows];
    for (int n = 0; n < rows; n++) {
      float amax = 0f;
      for (int k = 0; k < cols; k++) {
        amax = Math.max(amax, Math.abs(w[n * cols + k]));
      }
      amax /= 128f;
      scales[n] = Float.floatToFloat16(amax);
      for (int k = 0; k < cols; k++) {
        float r = roundHalfAway(w[n * cols + k] / amax);
        // std::min(127, NaN) is 127: NaN compares false, so the first argument wins.
        float clipped = Float.isNaN(r) ? 127f : Math.max(-128f, Math.min(127f, r));
        codes[n * cols + k] = (byte) clipped;
      }
    }
    return new Result(codes, scales);
  }

  /** C's {@code roundf}: to nearest, halves away from zero. */
  static float roundHalfAway(float x) {
    float ax = Math.abs(x);
    if (ax < 0x1p23f) {
      // The common case without the double floor: below 2^23 the int truncation is the floor,
      // and both it and the fraction are exact in float32, so the result is the same.
      int i = (int) ax;
      return Math.copySign(ax - i >= 0.5f ? i + 1 : i, x);
    }
    float t = (float) Math.floor(Math.abs(x));
    float rounded = Math.abs(x) - t >= 0.5f ? t + 1f : t;
    return Math.copySign(rounded, x);
  }
}
