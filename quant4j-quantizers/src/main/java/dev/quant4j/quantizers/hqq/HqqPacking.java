package dev.quant4j.quantizers.hqq;

import dev.quant4j.dtype.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * hqq's {@code BitPack}: codes of the grouped matrix {@code [R, C]} packed along dimension 0. With
 * {@code k} codes per storage word the rows are cut into {@code k} contiguous slices of {@code R/k}
 * rows and row {@code r} of slice {@code j} goes into word row {@code r}, the first slice in the
 * highest bits ({@code 4bit_u8}: {@code P[r] = Q[r] << 4 | Q[r + R/2]}). 3-bit codes go ten to an
 * int32, {@code R} padded with zero rows to a multiple of ten.
 */
enum HqqPacking {
  EIGHT("8bit_u8", 8, 1, DType.U8, "torch.uint8"),
  FOUR("4bit_u8", 4, 2, DType.U8, "torch.uint8"),
  THREE("3bit_32", 3, 10, DType.I32, "torch.int32"),
  TWO("2bit_u8", 2, 4, DType.U8, "torch.uint8"),
  ONE("1bit_u8", 1, 8, DType.U8, "torch.uint8");

  private static final ValueLayout.OfInt I32_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final String packingName;
  private final int bits;
  private final int perWord;
  private final DType storage;
  private final String viewDtype;

  HqqPacking(String packingName, int bits, int perWord, DType storage, String viewDtype) {
    this.packingName = packingName;
    this.bits = bits;
    this.perWord = perWord;
    this.storage = storage;
    this.viewDtype = viewDtype;
  }

  /** The {@code packing} string hqq stores, e.g. {@code 4bit_u8}. */
  String packingName() {
    return packingName;
  }

  int bits() {
    return bits;
  }

  /** The dtype of {@code W_q} ({@code unpack_view_dtype}): uint8, or int32 for 3-bit. */
  DType storage() {
    return storage;
  }

  /** {@code str(unpack_view_dtype)} as hqq encodes it. */
  String viewDtypeName() {
    return viewDtype;
  }

  static HqqPacking forBits(int nbits) {
    for (HqqPacking p : values()) {
      if (p.bits == nbits) {
        return p;
      }
    }
    throw new IllegalArgumentException("no hqq packing for " + nbits + " bits");
  }

  static Optional<HqqPacking> fromName(String name) {
    for (HqqPacking p : values()) {
      if (p.packingName.equals(name)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code rows} grouped rows can be packed (hqq itself fails on the others). */
  boolean fits(long rows) {
    return this == THREE || rows % perWord == 0;
  }

  /** Word rows of the packed matrix. */
  long packedRows(long rows) {
    return this == THREE ? Math.ceilDiv(rows, 10) : rows / perWord;
  }

  /** Bytes of the packed matrix. */
  long packedBytes(long rows, long cols) {
    return packedRows(rows) * cols * storage.byteSize(1);
  }

  /**
   * Packs codes {@code q[r * cols + c]} (each below {@code 2^bits}) of a {@code [rows, cols]}
   * grouped matrix.
   */
  byte[] pack(byte[] q, int rows, int cols) {
    long size = packedBytes(rows, cols);
    byte[] out = new byte[Math.toIntExact(size)];
    int wordRows = (int) packedRows(rows);
    if (this == THREE) {
      MemorySegment seg = MemorySegment.ofArray(out);
      for (int r = 0; r < wordRows; r++) {
        for (int c = 0; c < cols; c++) {
          int word = 0;
          for (int k = 0; k < 10; k++) {
            int src = r + k * wordRows;
            int code = src < rows ? q[src * cols + c] & 0xFF : 0;
            word |= code << (27 - 3 * k);
          }
          seg.setAtIndex(I32_LE, (long) r * cols + c, word);
        }
      }
      return out;
    }
    for (int r = 0; r < wordRows; r++) {
      for (int c = 0; c < cols; c++) {
        int b = 0;
        for (int k = 0; k < perWord; k++) {
          b |= (q[(r + k * wordRows) * cols + c] & 0xFF) << (8 - bits * (k + 1));
        }
        out[r * cols + c] = (byte) b;
      }
    }
    return out;
  }

  /** The codes {@code q[r * cols + c]} of a packed {@code [rows, cols]} grouped matrix. */
  byte[] unpack(MemorySegment packed, int rows, int cols) {
    byte[] q = new byte[Math.multiplyExact(rows, cols)];
    int wordRows = (int) packedRows(rows);
    int mask = (1 << bits) - 1;
    for (int r = 0; r < wordRows; r++) {
      for (int c = 0; c < cols; c++) {
        long at = (long) r * cols + c;
        int word =
            this == THREE
                ? packed.getAtIndex(I32_LE, at)
                : packed.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
        int top = this == THREE ? 27 : 8 - bits;
        for (int k = 0; k < perWord; k++) {
          int dst = r + k * wordRows;
          if (dst < rows) {
            q[dst * cols + c] = (byte) ((word >>> (top - bits * k)) & mask);
          }
        }
      }
    }
    return q;
  }
}
