package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.E4m3;
import dev.quant4j.kernels.Fp8Matrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * FP8 e4m3 rows decoded in registers with the bit trick of {@link E4m3}, no table: a byte
 * sign-extended to an int lane has the sign in bit 31 and the 7 magnitude bits in bits 0-6, so
 * shifting it 20 up and keeping bit 31 and bits 20-26 gives a float that is exactly {@code 2^-120}
 * times the value (subnormals included); one multiply by {@code 2^120} finishes it. Codes come out
 * in element order. Each block of a row's scales applies once to its partial sum, as in the
 * reference. The two NaN codes decode to 480 here (the loader rejects them).
 */
final class Fp8Kernels {
  /** Sign bit and the 7 magnitude bits once shifted 20 up. */
  private static final int SIGN_AND_MAGNITUDE = 0x87F00000;

  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

  private Fp8Kernels() {}

  private static FloatVector decode(Lanes v, ByteVector b, int part) {
    return ((IntVector) b.convertShape(VectorOperators.B2I, v.ints(), part))
        .lanewise(VectorOperators.LSHL, 20)
        .and(SIGN_AND_MAGNITUDE)
        .reinterpretAsFloats()
        .mul(E4m3.EXPONENT_SHIFT);
  }

  private static ByteVector load(Lanes v, MemorySegment codes, long offset) {
    return ByteVector.fromMemorySegment(v.bytes(), codes, offset, LE);
  }

  private static FloatVector x(Lanes v, float[] x, int at) {
    return FloatVector.fromArray(v.floats(), x, at);
  }

  /** Row {@code row} of {@code w} times {@code x[xOff, xOff + cols)}. */
  static float dot(Lanes v, Fp8Matrix w, int row, float[] x, int xOff) {
    int l = v.length();
    int bl = v.bytes().length();
    int parts = v.bytePartsPerLoad();
    int n = w.cols();
    int blockCols = w.blockCols();
    MemorySegment codes = w.codes();
    long base = (long) row * n;
    long scale0 = (long) (row / w.blockRows()) * w.blocksPerRow() * 4;
    FloatVector total = v.zero();
    float tails = 0f;
    for (int c0 = 0, block = 0; c0 < n; c0 += blockCols, block++) {
      int end = Math.min(n, c0 + blockCols);
      FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
      int c = c0;
      for (; c + 4 * bl <= end; c += 4 * bl) {
        ByteVector b0 = load(v, codes, base + c);
        ByteVector b1 = load(v, codes, base + c + bl);
        ByteVector b2 = load(v, codes, base + c + 2 * bl);
        ByteVector b3 = load(v, codes, base + c + 3 * bl);
        for (int p = 0; p < parts; p++) {
          int xc = xOff + c + p * l;
          a0 = decode(v, b0, p).fma(x(v, x, xc), a0);
          a1 = decode(v, b1, p).fma(x(v, x, xc + bl), a1);
          a2 = decode(v, b2, p).fma(x(v, x, xc + 2 * bl), a2);
          a3 = decode(v, b3, p).fma(x(v, x, xc + 3 * bl), a3);
        }
      }
      for (; c + bl <= end; c += bl) {
        ByteVector b0 = load(v, codes, base + c);
        for (int p = 0; p < parts; p++) {
          a0 = decode(v, b0, p).fma(x(v, x, xOff + c + p * l), a0);
        }
      }
      float partial = 0f;
      for (; c < end; c++) {
        partial += E4m3.toFloat(w.code(row, c)) * x[xOff + c];
      }
      float scale = w.scales().get(FLOAT_LE, scale0 + 4L * block);
      total = a0.add(a1).add(a2.add(a3)).fma(FloatVector.broadcast(v.floats(), scale), total);
      tails += partial * scale;
    }
    return total.reduceLanes(VectorOperators.ADD) + tails;
  }

  /**
   * Rows {@code [r0, r0 + count)} dequantized into {@code dst} in element order, each weight {@code
   * e4m3 * scale} rounded as the reference rounds it.
   */
  static void decode(Lanes v, Fp8Matrix w, int r0, int count, float[] dst) {
    int l = v.length();
    int bl = v.bytes().length();
    int parts = v.bytePartsPerLoad();
    int n = w.cols();
    int blockCols = w.blockCols();
    MemorySegment codes = w.codes();
    for (int i = 0; i < count; i++) {
      int row = r0 + i;
      long base = (long) row * n;
      int d = i * n;
      for (int c0 = 0; c0 < n; c0 += blockCols) {
        int end = Math.min(n, c0 + blockCols);
        float scale = w.scale(row, c0);
        int c = c0;
        for (; c + bl <= end; c += bl) {
          ByteVector b = load(v, codes, base + c);
          for (int p = 0; p < parts; p++) {
            decode(v, b, p).mul(scale).intoArray(dst, d + c + p * l);
          }
        }
        for (; c < end; c++) {
          dst[d + c] = E4m3.toFloat(w.code(row, c)) * scale;
        }
      }
    }
  }
}
