package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.Int8RowMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Int8 rows: codes widen straight to floats in registers (sign-extend, convert) and meet {@code x}
 * in a fused multiply-add; the row scale is applied once by the caller. 4-bit rows are in {@link
 * Packed4Kernels}.
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
}
