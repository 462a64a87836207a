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
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Dot products on packed quantized rows, dequantizing in registers: int8 codes widen straight to
 * floats; 4-bit codes are unpacked into int lanes and looked up in the block's scaled codebook with
 * lane permutes, so no float copy of the weights is ever written.
 */
final class QuantKernels {
  private QuantKernels() {}

  /** {@code sum_c codes[row][c] * x[c]}, unscaled (the caller applies the row factor). */
  static float int8(Lanes v, Int8RowMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    int bl = v.bytes.length();
    int l = v.length;
    boolean twoParts = v.bytePartsPerLoad == 2;
    MemorySegment codes = w.codes();
    long base = (long) row * n;
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    int c = 0;
    for (int end = n - 2 * bl; c <= end; c += 2 * bl) {
      ByteVector b0 = ByteVector.fromMemorySegment(v.bytes, codes, base + c, LE);
      ByteVector b1 = ByteVector.fromMemorySegment(v.bytes, codes, base + c + bl, LE);
      a0 = widen(v, b0, 0).fma(FloatVector.fromArray(v.floats, x, xOff + c), a0);
      a1 = widen(v, b1, 0).fma(FloatVector.fromArray(v.floats, x, xOff + c + bl), a1);
      if (twoParts) {
        a2 = widen(v, b0, 1).fma(FloatVector.fromArray(v.floats, x, xOff + c + l), a2);
        a3 = widen(v, b1, 1).fma(FloatVector.fromArray(v.floats, x, xOff + c + bl + l), a3);
      }
    }
    float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      sum += codes.get(ValueLayout.JAVA_BYTE, base + c) * x[xOff + c];
    }
    return sum;
  }

  private static FloatVector widen(Lanes v, ByteVector b, int part) {
    return (FloatVector) b.convertShape(VectorOperators.B2F, v.floats, part);
  }

  /**
   * Row {@code row} of a 4-bit matrix times {@code x}. The vector path needs whole blocks per row
   * and whole byte loads per block (true for bitsandbytes' 64-element blocks); other shapes take
   * the scalar loop.
   */
  static float packed4(Lanes v, Packed4BitMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    int blockSize = w.blockSize();
    int bl = v.bytes.length();
    if (n % blockSize != 0 || blockSize % (2 * bl) != 0) {
      return packed4Scalar(w, row, x, xOff);
    }
    int l = v.length;
    MemorySegment codes = w.codes();
    MemorySegment table = w.codebook().segment();
    long first = (long) row * n;
    long firstBlock = first / blockSize;
    FloatVector a0 = v.zero(), a1 = v.zero();
    for (int c = 0, block = 0; c < n; c += blockSize, block++) {
      // The codebook scaled by the block's absmax: lookups then yield W itself, rounded exactly
      // as codebook[code] * absmax is in the reference.
      float absmax = w.absmax(firstBlock + block);
      IntVector t0 = tablePart(v, table, 0, absmax);
      IntVector t1 = v.tableParts > 1 ? tablePart(v, table, 1, absmax) : t0;
      IntVector t2 = v.tableParts > 2 ? tablePart(v, table, 2, absmax) : t0;
      IntVector t3 = v.tableParts > 3 ? tablePart(v, table, 3, absmax) : t0;
      for (int e = c; e < c + blockSize; e += 2 * bl) {
        ByteVector b = ByteVector.fromMemorySegment(v.bytes, codes, (first + e) >>> 1, LE);
        for (int p = 0; p < v.bytePartsPerLoad; p++) {
          // L ints, each one byte = two elements; spread each to two lanes, pick its nibble.
          IntVector packed = (IntVector) b.convertShape(VectorOperators.B2I, v.ints, p);
          IntVector low = nibbles(v, packed, v.duplicateLow);
          IntVector high = nibbles(v, packed, v.duplicateHigh);
          int xe = xOff + e + p * 2 * l;
          a0 = lookup(v, low, t0, t1, t2, t3).fma(FloatVector.fromArray(v.floats, x, xe), a0);
          a1 = lookup(v, high, t0, t1, t2, t3).fma(FloatVector.fromArray(v.floats, x, xe + l), a1);
        }
      }
    }
    return a0.add(a1).reduceLanes(VectorOperators.ADD);
  }

  private static IntVector tablePart(Lanes v, MemorySegment table, int part, float absmax) {
    return FloatVector.fromMemorySegment(
            v.floats, table, (long) part * v.length * 4, ByteOrder.nativeOrder())
        .mul(absmax)
        .reinterpretAsInts();
  }

  private static IntVector nibbles(Lanes v, IntVector packed, VectorShuffle<Integer> spread) {
    return packed.rearrange(spread).lanewise(VectorOperators.LSHR, v.nibbleShifts).and(0xF);
  }

  /** {@code table[code]} for 16 entries held in one, two or four vectors of L lanes. */
  private static FloatVector lookup(
      Lanes v, IntVector code, IntVector t0, IntVector t1, IntVector t2, IntVector t3) {
    return switch (v.tableParts) {
      case 1 -> t0.rearrange(code.toShuffle()).reinterpretAsFloats();
      case 2 -> {
        VectorShuffle<Integer> lane = code.and(v.length - 1).toShuffle();
        yield t0.rearrange(lane)
            .blend(t1.rearrange(lane), code.compare(VectorOperators.GE, v.length))
            .reinterpretAsFloats();
      }
      default -> {
        VectorShuffle<Integer> lane = code.and(v.length - 1).toShuffle();
        IntVector part = code.lanewise(VectorOperators.LSHR, v.lengthLog2);
        yield t0.rearrange(lane)
            .blend(t1.rearrange(lane), part.compare(VectorOperators.EQ, 1))
            .blend(t2.rearrange(lane), part.compare(VectorOperators.EQ, 2))
            .blend(t3.rearrange(lane), part.compare(VectorOperators.EQ, 3))
            .reinterpretAsFloats();
      }
    };
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
}
