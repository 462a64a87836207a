package dev.quant4j.quantizers.bitnet;

import java.nio.file.Path;

/**
 * transformers' ternary packing ({@code pack_weights} / {@code unpack_weights}) and the repacking
 * into the kernels' row-major 2-bit codes.
 *
 * <p>transformers packs along the output axis in four blocks, not interleaved: with {@code R = OUT
 * / 4}, byte {@code [r, i]} holds {@code t[k * R + r, i] + 1} in bits {@code [2k, 2k + 2)}. The
 * kernels want each output row's codes contiguous, four columns a byte, first in the lowest bits.
 * Both hold the same codes {0, 1, 2}; code 3 has no meaning and is refused on load.
 */
final class BitNetPacking {
  private BitNetPacking() {}

  /** Ternary values {@code -1, 0, 1} (row-major {@code [rows, cols]}) in transformers' layout. */
  static byte[] pack(byte[] ternary, int rows, int cols) {
    int r = rows / 4;
    byte[] packed = new byte[r * cols];
    for (int o = 0; o < rows; o++) {
      int k = o / r;
      int row = o % r;
      for (int i = 0; i < cols; i++) {
        int code = ternary[o * cols + i] + 1;
        packed[row * cols + i] |= (byte) (code << (2 * k));
      }
    }
    return packed;
  }

  /**
   * The codes {@code t + 1} of a packed {@code [rows / 4, cols]} weight, row-major {@code [rows,
   * cols]}, four a byte, for {@link dev.quant4j.kernels.GroupedIntMatrix}.
   *
   * @throws dev.quant4j.error.FormatException naming the tensor when a code is 3
   */
  static byte[] toKernelCodes(
      Path file, String tensor, java.lang.foreign.MemorySegment packed, int rows, int cols) {
    int r = rows / 4;
    byte[] codes = new byte[rows * cols / 4];
    for (int row = 0; row < r; row++) {
      for (int i = 0; i < cols; i++) {
        int b = packed.get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) row * cols + i) & 0xFF;
        for (int k = 0; k < 4; k++) {
          int code = (b >>> (2 * k)) & 3;
          if (code == 3) {
            throw new dev.quant4j.error.FormatException(
                file,
                tensor + "[" + row + ", " + i + "]",
                "packed ternary weight holds the unused code 3",
                "codes 0, 1, 2 (-1, 0, 1)",
                b);
          }
          int o = k * r + row;
          int bit = (o * cols + i) * 2;
          codes[bit >>> 3] |= (byte) (code << (bit & 7));
        }
      }
    }
    return codes;
  }

  /** Kernel codes of ternary values {@code -1, 0, 1}, row-major. */
  static byte[] kernelCodes(byte[] ternary) {
    byte[] codes = new byte[ternary.length / 4];
    for (int j = 0; j < ternary.length; j++) {
      int bit = j * 2;
      codes[bit >>> 3] |= (byte) ((ternary[j] + 1) << (bit & 7));
    }
    return codes;
  }
}
