package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.Packed4BitMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed quantized rows, dequantized in registers: int8 codes widen straight to floats; 4-bit codes
 * are unpacked into int lanes and looked up in the block's scaled codebook with lane permutes. The
 * dot products never write weights to memory; the gemm decoders write a few rows at a time.
 */
final class QuantKernels {
  private QuantKernels() {}

  /** {@code sum_c codes[row][c] * x[c]}, unscaled (the caller applies the row factor). */
  static float int8(Lanes v, Int8RowMatrix w, int row, float[] x, int xOff) {
    VectorSpecies<Float> f = v.floats();
    VectorSpecies<Byte> bs = v.bytes();
    int bl = bs.length();
    int l = v.length();
    boolean twoParts = v.bytePartsPerLoad() == 2;
    int n = w.cols();
    MemorySegment codes = w.codes();
    long base = (long) row * n;
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    int c = 0;
    for (int end = n - 2 * bl; c <= end; c += 2 * bl) {
      ByteVector b0 = ByteVector.fromMemorySegment(bs, codes, base + c, LE);
      ByteVector b1 = ByteVector.fromMemorySegment(bs, codes, base + c + bl, LE);
      a0 = widen(f, b0, 0).fma(FloatVector.fromArray(f, x, xOff + c), a0);
      a1 = widen(f, b1, 0).fma(FloatVector.fromArray(f, x, xOff + c + bl), a1);
      if (twoParts) {
        a2 = widen(f, b0, 1).fma(FloatVector.fromArray(f, x, xOff + c + l), a2);
        a3 = widen(f, b1, 1).fma(FloatVector.fromArray(f, x, xOff + c + bl + l), a3);
      }
    }
    float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      sum += codes.get(ValueLayout.JAVA_BYTE, base + c) * x[xOff + c];
    }
    return sum;
  }

  /** Rows {@code [r0, r0 + count)} of int8 codes as floats into {@code dst}, unscaled. */
  static void int8Decode(Lanes v, Int8RowMatrix w, int r0, int count, float[] dst) {
    VectorSpecies<Float> f = v.floats();
    VectorSpecies<Byte> bs = v.bytes();
    int bl = bs.length();
    int l = v.length();
    int parts = v.bytePartsPerLoad();
    MemorySegment codes = w.codes();
    long first = (long) r0 * w.cols();
    int n = count * w.cols();
    int i = 0;
    for (int end = n - bl; i <= end; i += bl) {
      ByteVector b = ByteVector.fromMemorySegment(bs, codes, first + i, LE);
      for (int p = 0; p < parts; p++) {
        widen(f, b, p).intoArray(dst, i + p * l);
      }
    }
    for (; i < n; i++) {
      dst[i] = codes.get(ValueLayout.JAVA_BYTE, first + i);
    }
  }

  private static FloatVector widen(VectorSpecies<Float> f, ByteVector b, int part) {
    return (FloatVector) b.convertShape(VectorOperators.B2F, f, part);
  }

  /**
   * Whether rows of {@code w} take the vector path: whole blocks per row and whole byte loads per
   * block (true for bitsandbytes' 64-element blocks); other shapes take the scalar loop.
   */
  static boolean packed4Vectorizable(Lanes v, Packed4BitMatrix w) {
    return w.cols() % w.blockSize() == 0 && w.blockSize() % (2 * v.bytes().length()) == 0;
  }

  /** Row {@code row} of a 4-bit matrix times {@code x}. */
  static float packed4(Lanes v, Packed4BitMatrix w, int row, float[] x, int xOff) {
    if (!packed4Vectorizable(v, w)) {
      return packed4Scalar(w, row, x, xOff);
    }
    VectorSpecies<Float> f = v.floats();
    VectorSpecies<Byte> bs = v.bytes();
    int bl = bs.length();
    int l = v.length();
    int parts = v.bytePartsPerLoad();
    int n = w.cols();
    int blockSize = w.blockSize();
    MemorySegment codes = w.codes();
    long first = (long) row * n;
    long firstBlock = first / blockSize;
    FloatVector a0 = v.zero(), a1 = v.zero();
    for (int c = 0; c < n; c += blockSize) {
      Table t = Table.scaled(v, w, firstBlock + c / blockSize);
      for (int e = c, end = c + blockSize; e < end; e += 2 * bl) {
        ByteVector b = ByteVector.fromMemorySegment(bs, codes, (first + e) >>> 1, LE);
        for (int p = 0; p < parts; p++) {
          IntVector packed = (IntVector) b.convertShape(VectorOperators.B2I, v.ints(), p);
          int xe = xOff + e + p * 2 * l;
          a0 = t.lookup(v, nibbles(v, packed, false)).fma(FloatVector.fromArray(f, x, xe), a0);
          a1 = t.lookup(v, nibbles(v, packed, true)).fma(FloatVector.fromArray(f, x, xe + l), a1);
        }
      }
    }
    return a0.add(a1).reduceLanes(VectorOperators.ADD);
  }

  /**
   * Rows {@code [r0, r0 + count)} dequantized into {@code dst}: the exact weights the dot product
   * multiplies. Requires {@link #packed4Vectorizable}.
   */
  static void packed4Decode(Lanes v, Packed4BitMatrix w, int r0, int count, float[] dst) {
    VectorSpecies<Byte> bs = v.bytes();
    int bl = bs.length();
    int l = v.length();
    int parts = v.bytePartsPerLoad();
    int blockSize = w.blockSize();
    MemorySegment codes = w.codes();
    long first = (long) r0 * w.cols();
    int n = count * w.cols();
    for (int c = 0; c < n; c += blockSize) {
      Table t = Table.scaled(v, w, (first + c) / blockSize);
      for (int e = c, end = c + blockSize; e < end; e += 2 * bl) {
        ByteVector b = ByteVector.fromMemorySegment(bs, codes, (first + e) >>> 1, LE);
        for (int p = 0; p < parts; p++) {
          IntVector packed = (IntVector) b.convertShape(VectorOperators.B2I, v.ints(), p);
          int de = e + p * 2 * l;
          t.lookup(v, nibbles(v, packed, false)).intoArray(dst, de);
          t.lookup(v, nibbles(v, packed, true)).intoArray(dst, de + l);
        }
      }
    }
  }

  /**
   * The codes of {@code L} consecutive elements from {@code L} ints each holding one packed byte:
   * the lower or upper half of those bytes, each spread to two lanes, first element from the high
   * nibble.
   */
  private static IntVector nibbles(Lanes v, IntVector packed, boolean upperHalf) {
    return packed
        .rearrange(v.spread(upperHalf))
        .lanewise(VectorOperators.LSHR, v.nibbleShifts())
        .and(0xF);
  }

  /**
   * The 16-entry codebook times one block's absmax, in one, two or four vectors of {@code L} lanes
   * (as int bits, the element type of the lookup indices): lookups then yield the weight itself,
   * rounded exactly as {@code codebook[code] * absmax} is in the reference.
   */
  private record Table(IntVector t0, IntVector t1, IntVector t2, IntVector t3) {
    static Table scaled(Lanes v, Packed4BitMatrix w, long block) {
      float absmax = w.absmax(block);
      MemorySegment table = w.codebook().segment();
      int parts = Math.max(1, 16 / v.length());
      IntVector t0 = part(v, table, 0, absmax);
      IntVector t1 = parts > 1 ? part(v, table, 1, absmax) : t0;
      IntVector t2 = parts > 2 ? part(v, table, 2, absmax) : t0;
      IntVector t3 = parts > 3 ? part(v, table, 3, absmax) : t0;
      return new Table(t0, t1, t2, t3);
    }

    private static IntVector part(Lanes v, MemorySegment table, int part, float absmax) {
      return FloatVector.fromMemorySegment(
              v.floats(), table, (long) part * v.length() * 4, ByteOrder.nativeOrder())
          .mul(absmax)
          .reinterpretAsInts();
    }

    /** {@code table[code]} for codes 0..15. */
    FloatVector lookup(Lanes v, IntVector code) {
      int l = v.length();
      if (l >= 16) {
        return code.selectFrom(t0).reinterpretAsFloats();
      }
      IntVector lane = code.and(l - 1);
      if (l == 8) {
        VectorMask<Integer> upper = code.compare(VectorOperators.GE, 8);
        return lane.selectFrom(t0).blend(lane.selectFrom(t1), upper).reinterpretAsFloats();
      }
      IntVector part = code.lanewise(VectorOperators.LSHR, 2);
      return lane.selectFrom(t0)
          .blend(lane.selectFrom(t1), part.compare(VectorOperators.EQ, 1))
          .blend(lane.selectFrom(t2), part.compare(VectorOperators.EQ, 2))
          .blend(lane.selectFrom(t3), part.compare(VectorOperators.EQ, 3))
          .reinterpretAsFloats();
    }
  }

  static float packed4Scalar(Packed4BitMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    long first = (long) row * n;
    float sum = 0f;
    for (int c = 0; c < n; c++) {
      long e = first + c;
      sum += w.codebook().get(w.code(e)) * w.absmax(e / w.blockSize()) * x[xOff + c];
    }
    return sum;
  }

  /** Scalar decode of rows, for shapes {@link #packed4Vectorizable} rejects. */
  static void packed4DecodeScalar(Packed4BitMatrix w, int r0, int count, float[] dst) {
    int cols = w.cols();
    for (int i = 0; i < count; i++) {
      for (int c = 0; c < cols; c++) {
        dst[i * cols + c] = w.get(r0 + i, c);
      }
    }
  }
}
