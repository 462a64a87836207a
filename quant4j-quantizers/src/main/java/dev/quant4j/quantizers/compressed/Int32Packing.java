package dev.quant4j.quantizers.compressed;

/**
 * compressed-tensors' {@code pack_to_int32} / {@code unpack_from_int32} (0.17+): signed {@code
 * bits}-bit values offset by {@code 2^(bits-1)} to unsigned, laid out densely along the packed
 * dimension as one little-endian bit stream of 32-bit words: element {@code j} starts at bit {@code
 * j * bits}, spilling into the next word when it crosses 32. Each row (dim 1) or column (dim 0)
 * starts a new stream, zero-padded to whole words. For 1, 2, 4 and 8 bits this equals the legacy
 * "{@code 32 / bits} values per word" layout of earlier versions.
 */
final class Int32Packing {
  private Int32Packing() {}

  /** Words per stream of {@code n} values. */
  static int words(long n, int bits) {
    return Math.toIntExact(Math.ceilDiv(n * bits, 32));
  }

  /** Packs {@code q[rows][cols]} along dim 1: {@code [rows, words(cols)]}. */
  static int[] packRows(byte[] q, int rows, int cols, int bits) {
    int w = words(cols, bits);
    int[] out = new int[rows * w];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        put(out, r * w, (long) c * bits, q[r * cols + c] + (1 << (bits - 1)), bits);
      }
    }
    return out;
  }

  /** Packs {@code q[rows][cols]} along dim 0: {@code [words(rows), cols]}. */
  static int[] packColumns(int[] q, int rows, int cols, int bits) {
    int w = words(rows, bits);
    int[] out = new int[w * cols];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        putStrided(out, c, cols, (long) r * bits, q[r * cols + c] + (1 << (bits - 1)), bits);
      }
    }
    return out;
  }

  /** Unpacks a {@code [rows, words(cols)]} array to signed values {@code [rows][cols]}. */
  static byte[] unpackRows(int[] packed, int rows, int cols, int bits) {
    int w = words(cols, bits);
    byte[] out = new byte[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] =
            (byte) (get(packed, r * w, 1, (long) c * bits, bits) - (1 << (bits - 1)));
      }
    }
    return out;
  }

  /** Unpacks a {@code [words(rows), cols]} array to signed values {@code [rows][cols]}. */
  static int[] unpackColumns(int[] packed, int rows, int cols, int bits) {
    int[] out = new int[rows * cols];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        out[r * cols + c] = get(packed, c, cols, (long) r * bits, bits) - (1 << (bits - 1));
      }
    }
    return out;
  }

  private static void put(int[] words, int base, long bit, int u, int bits) {
    putStrided(words, base, 1, bit, u, bits);
  }

  /** ORs {@code u} at {@code bit} of the stream whose word {@code k} is {@code base + k*stride}. */
  private static void putStrided(int[] words, int base, int stride, long bit, int u, int bits) {
    int word = (int) (bit >>> 5);
    int offset = (int) (bit & 31);
    words[base + word * stride] |= u << offset;
    if (offset + bits > 32) {
      words[base + (word + 1) * stride] |= u >>> (32 - offset);
    }
  }

  private static int get(int[] words, int base, int stride, long bit, int bits) {
    int word = (int) (bit >>> 5);
    int offset = (int) (bit & 31);
    long v = (words[base + word * stride] & 0xFFFFFFFFL) >>> offset;
    if (offset + bits > 32) {
      v |= (words[base + (word + 1) * stride] & 0xFFFFFFFFL) << (32 - offset);
    }
    return (int) (v & ((1 << bits) - 1));
  }
}
