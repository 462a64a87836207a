package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.Codebook;
import dev.quant4j.kernels.Packed4BitMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit rows dequantized in registers: a byte load widened to {@code L} int lanes gives {@code 2L}
 * elements, the high nibbles the even ones and the low nibbles the odd ones; each nibble indexes
 * the block's codebook, pre-multiplied by the block's absmax, with a lane permute.
 *
 * <p>Why the "split-pair" order: putting the nibbles back into element order costs a cross-lane
 * permute and a variable shift per vector, about a third of the loop. Instead, the kernels take
 * {@code x} rearranged once per call ({@link #splitPairs}) so that each group of {@code 2L}
 * elements lists its even elements, then its odd ones: the order the nibbles come out in. The gemm
 * decoder writes weights in that same order, so its products pair up identically.
 *
 * <p>The vector path needs whole blocks per row and whole byte loads per block (true for
 * bitsandbytes' 64-element blocks, see {@link #vectorizable}); other shapes take scalar loops on
 * {@code x} in element order.
 */
final class Packed4Kernels {
  private Packed4Kernels() {}

  /** Whether rows of {@code w} take the vector path (and {@code x} must be split-pair ordered). */
  static boolean vectorizable(Lanes v, Packed4BitMatrix w) {
    return w.cols() % w.blockSize() == 0 && w.blockSize() % (2 * v.bytes().length()) == 0;
  }

  /**
   * {@code tokens} rows of {@code n} floats from {@code x[xOff]} into {@code dst[0..)}, each group
   * of {@code 2L} elements as its even elements followed by its odd ones. {@code n} is a multiple
   * of {@code 2L} whenever {@link #vectorizable} holds.
   */
  static void splitPairs(Lanes v, float[] x, int xOff, int n, int tokens, float[] dst) {
    int l = v.length();
    int total = tokens * n;
    for (int g = 0; g < total; g += 2 * l) {
      int src = xOff + g;
      for (int i = 0; i < l; i++) {
        dst[g + i] = x[src + 2 * i];
        dst[g + l + i] = x[src + 2 * i + 1];
      }
    }
  }

  /** Row {@code row} of {@code w} times split-pair ordered {@code xs[xOff, xOff + cols)}. */
  static float dot(Lanes v, Packed4BitMatrix w, int row, float[] xs, int xOff) {
    VectorSpecies<Float> f = v.floats();
    VectorSpecies<Byte> bs = v.bytes();
    int bl = bs.length();
    int l = v.length();
    int parts = v.bytePartsPerLoad();
    int n = w.cols();
    int blockSize = w.blockSize();
    MemorySegment codes = w.codes();
    MemorySegment table = w.codebook().segment();
    FloatVector c0 = tablePart(v, table, 0);
    FloatVector c1 = tablePart(v, table, 1);
    FloatVector c2 = tablePart(v, table, 2);
    FloatVector c3 = tablePart(v, table, 3);
    long first = (long) row * n;
    long firstBlock = first / blockSize;
    FloatVector a0 = v.zero(), a1 = v.zero();
    for (int c = 0; c < n; c += blockSize) {
      float absmax = w.absmax(firstBlock + c / blockSize);
      IntVector t0 = c0.mul(absmax).reinterpretAsInts();
      IntVector t1 = c1.mul(absmax).reinterpretAsInts();
      IntVector t2 = c2.mul(absmax).reinterpretAsInts();
      IntVector t3 = c3.mul(absmax).reinterpretAsInts();
      for (int e = c, end = c + blockSize; e < end; e += 2 * bl) {
        ByteVector b = ByteVector.fromMemorySegment(bs, codes, (first + e) >>> 1, LE);
        for (int p = 0; p < parts; p++) {
          IntVector packed = (IntVector) b.convertShape(VectorOperators.B2I, v.ints(), p);
          int xe = xOff + e + p * 2 * l;
          FloatVector even = lookup(v, high(packed), t0, t1, t2, t3);
          FloatVector odd = lookup(v, low(packed), t0, t1, t2, t3);
          a0 = even.fma(FloatVector.fromArray(f, xs, xe), a0);
          a1 = odd.fma(FloatVector.fromArray(f, xs, xe + l), a1);
        }
      }
    }
    return a0.add(a1).reduceLanes(VectorOperators.ADD);
  }

  /**
   * Rows {@code [r0, r0 + count)} dequantized into {@code dst} in split-pair order: the exact
   * weights {@link #dot} multiplies. Requires {@link #vectorizable}.
   */
  static void decode(Lanes v, Packed4BitMatrix w, int r0, int count, float[] dst) {
    VectorSpecies<Byte> bs = v.bytes();
    int bl = bs.length();
    int l = v.length();
    int parts = v.bytePartsPerLoad();
    int blockSize = w.blockSize();
    MemorySegment codes = w.codes();
    MemorySegment table = w.codebook().segment();
    FloatVector c0 = tablePart(v, table, 0);
    FloatVector c1 = tablePart(v, table, 1);
    FloatVector c2 = tablePart(v, table, 2);
    FloatVector c3 = tablePart(v, table, 3);
    long first = (long) r0 * w.cols();
    int n = count * w.cols();
    for (int c = 0; c < n; c += blockSize) {
      float absmax = w.absmax((first + c) / blockSize);
      IntVector t0 = c0.mul(absmax).reinterpretAsInts();
      IntVector t1 = c1.mul(absmax).reinterpretAsInts();
      IntVector t2 = c2.mul(absmax).reinterpretAsInts();
      IntVector t3 = c3.mul(absmax).reinterpretAsInts();
      for (int e = c, end = c + blockSize; e < end; e += 2 * bl) {
        ByteVector b = ByteVector.fromMemorySegment(bs, codes, (first + e) >>> 1, LE);
        for (int p = 0; p < parts; p++) {
          IntVector packed = (IntVector) b.convertShape(VectorOperators.B2I, v.ints(), p);
          int de = e + p * 2 * l;
          lookup(v, high(packed), t0, t1, t2, t3).intoArray(dst, de);
          lookup(v, low(packed), t0, t1, t2, t3).intoArray(dst, de + l);
        }
      }
    }
  }

  /**
   * The code of each byte's first element in bits 0-3; higher bits are left as they are (the byte
   * arrives sign-extended) because {@link #lookup} wraps indices modulo 16 anyway.
   */
  private static IntVector high(IntVector packed) {
    return packed.lanewise(VectorOperators.LSHR, 4);
  }

  /** The code of each byte's second element in bits 0-3, higher bits as for {@link #high}. */
  private static IntVector low(IntVector packed) {
    return packed;
  }

  /**
   * Part {@code part} of the 16-entry codebook as {@code L} lanes; parts a width does not need are
   * never looked up. Each block multiplies them by its absmax, so lookups yield the weight itself,
   * rounded exactly as {@code codebook[code] * absmax} is in the reference. Held in locals, not an
   * object, so that nothing is allocated per block.
   */
  private static FloatVector tablePart(Lanes v, MemorySegment table, int part) {
    int first = part * v.length() < Codebook.SIZE ? part * v.length() : 0;
    return FloatVector.fromMemorySegment(v.floats(), table, first * 4L, ByteOrder.nativeOrder());
  }

  /**
   * {@code table[code & 15]} with the table held in one, two or four vectors. {@code selectFrom}
   * wraps indices into {@code [0, L)}, its two-vector form into {@code [0, 2L)}: at 256 and 512
   * bits that wrap is the mask, and at 256 bits the two-vector form is the whole lookup.
   */
  private static FloatVector lookup(
      Lanes v, IntVector index, IntVector t0, IntVector t1, IntVector t2, IntVector t3) {
    int l = v.length();
    if (l == Codebook.SIZE) {
      return index.selectFrom(t0).reinterpretAsFloats();
    }
    if (2 * l == Codebook.SIZE) {
      return index.selectFrom(t0, t1).reinterpretAsFloats();
    }
    IntVector code = index.and(Codebook.SIZE - 1);
    return code.selectFrom(t0, t1)
        .blend(code.selectFrom(t2, t3), code.compare(VectorOperators.GE, 2 * l))
        .reinterpretAsFloats();
  }

  /** Row {@code row} times {@code x} in element order, for shapes {@link #vectorizable} rejects. */
  static float dotScalar(Packed4BitMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    long first = (long) row * n;
    float sum = 0f;
    for (int c = 0; c < n; c++) {
      long e = first + c;
      sum += w.codebook().get(w.code(e)) * w.absmax(e / w.blockSize()) * x[xOff + c];
    }
    return sum;
  }

  /** Rows in element order, for shapes {@link #vectorizable} rejects. */
  static void decodeScalar(Packed4BitMatrix w, int r0, int count, float[] dst) {
    int cols = w.cols();
    for (int i = 0; i < count; i++) {
      for (int c = 0; c < cols; c++) {
        dst[i * cols + c] = w.get(r0 + i, c);
      }
    }
  }
}
