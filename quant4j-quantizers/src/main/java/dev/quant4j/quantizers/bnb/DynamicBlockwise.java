package dev.quant4j.quantizers.bnb;

/**
 * Blockwise 8-bit quantization with the dynamic map, as bitsandbytes' CPU library does it for a
 * float32 input ({@code quantize_cpu} / {@code quantize_block}): per block the absmax, then each
 * value divided (IEEE division, not a reciprocal product) by it, located in the table by binary
 * search and moved to the right neighbour only when strictly closer. The C++ code treats entry 0 as
 * -1.0 during the search (the table itself starts at -0.99297) so that -1.0 is bracketed.
 */
final class DynamicBlockwise {
  private DynamicBlockwise() {}

  /** Codes and per-block absmax of one blockwise quantization. */
  record Result(byte[] codes, float[] absmax) {}

  static Result quantize(float[] values, int blocksize, Codebook map) {
    float[] table = map.toArray();
    table[0] = -1.0f;
    int n = values.length;
    int blocks = Math.ceilDiv(n, blocksize);
    byte[] codes = new byte[n];
    float[] absmax = new float[blocks];
    for (int b = 0; b < blocks; b++) {
      int start = b * blocksize;
      int end = Math.min(n, start + blocksize);
      float max = -Float.MAX_VALUE;
      for (int i = start; i < end; i++) {
        max = Math.max(max, Math.abs(values[i]));
      }
      absmax[b] = max;
      for (int i = start; i < end; i++) {
        codes[i] = (byte) nearest(table, values[i] / max);
      }
    }
    return new Result(codes, absmax);
  }

  /**
   * The code of {@code x}: the greatest entry not above it, or its right neighbour when strictly
   * closer in float32. NaN (a block of zeros divided by its zero absmax) has no defined result in
   * the C++ code; the code of 0 is returned, so the block dequantizes to exactly 0.
   */
  static int nearest(float[] table, float x) {
    if (Float.isNaN(x)) {
      return zeroCode(table);
    }
    int lo = 0;
    int hi = table.length - 1;
    if (x >= table[hi]) {
      return hi;
    }
    // Invariant: table[lo] <= x < table[hi] (x >= -1 == table[0] since |x| <= 1).
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (table[mid] <= x) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    float left = Math.abs(x - table[lo]);
    float right = Math.abs(x - table[lo + 1]);
    return right < left ? lo + 1 : lo;
  }

  private static int zeroCode(float[] table) {
    for (int i = 0; i < table.length; i++) {
      if (table[i] == 0f) {
        return i;
      }
    }
    return 0;
  }

  /** {@code out[i] = map[codes[i]] * absmax[i / blocksize]} in float32. */
  static float[] dequantize(byte[] codes, float[] absmax, int blocksize, Codebook map) {
    float[] out = new float[codes.length];
    for (int i = 0; i < codes.length; i++) {
      out[i] = map.value(codes[i] & 0xFF) * absmax[i / blocksize];
    }
    return out;
  }
}
