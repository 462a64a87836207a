package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of dense rows (f32, bf16, f16 in memory) with float vectors. One loop per format so
 * the decode is straight-line code; four independent accumulators hide the FMA latency so a gemv
 * runs at memory speed.
 */
final class DenseKernels {
  private DenseKernels() {}

  /** bf16 is the top half of an f32: sign-extend the shorts to ints, shift into place. */
  static FloatVector bf16(Lanes v, MemorySegment s, long byteOffset) {
    ShortVector h = ShortVector.fromMemorySegment(v.shorts(), s, byteOffset, LE);
    return ((IntVector) h.convertShape(VectorOperators.S2I, v.ints(), 0))
        .lanewise(VectorOperators.LSHL, 16)
        .reinterpretAsFloats();
  }

  /**
   * IEEE half to float without a lookup: place exponent and mantissa 13 bits up and multiply by
   * 2^112 to rebias, which also normalizes subnormals exactly; inf/NaN (exponent 31) land at or
   * above 65536 and get the all-ones f32 exponent. Matches {@link Float#float16ToFloat}.
   */
  static FloatVector f16(Lanes v, MemorySegment s, long byteOffset) {
    ShortVector h = ShortVector.fromMemorySegment(v.shorts(), s, byteOffset, LE);
    IntVector bits = (IntVector) h.convertShape(VectorOperators.S2I, v.ints(), 0);
    IntVector abs = bits.and(0x7FFF);
    FloatVector magnitude =
        abs.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
    VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 65536f).cast(v.ints());
    // Like the JDK (and F16C), NaNs come out quiet with their payload kept.
    VectorMask<Integer> nan = abs.compare(VectorOperators.GT, 0x7C00);
    return magnitude
        .reinterpretAsInts()
        .lanewise(VectorOperators.OR, 0x7F800000, special)
        .lanewise(VectorOperators.OR, 0x00400000, nan)
        .or(bits.and(0x8000).lanewise(VectorOperators.LSHL, 16))
        .reinterpretAsFloats();
  }

  static FloatVector f32(Lanes v, MemorySegment s, long byteOffset) {
    return FloatVector.fromMemorySegment(v.floats(), s, byteOffset, LE);
  }

  /** Any format; for loops that are not hot enough to specialize (rmsnorm weights, decoding). */
  static FloatVector load(Lanes v, FloatFormat format, MemorySegment s, long byteOffset) {
    return switch (format) {
      case F32 -> f32(v, s, byteOffset);
      case BF16 -> bf16(v, s, byteOffset);
      case F16 -> f16(v, s, byteOffset);
    };
  }

  /** Row {@code row} of {@code w} times {@code x[xOff, xOff + cols)}. */
  static float dot(Lanes v, DenseMatrix w, int row, float[] x, int xOff) {
    return switch (w.format()) {
      case F32 -> dotF32(v, w, row, x, xOff);
      case BF16 -> dotBf16(v, w, row, x, xOff);
      case F16 -> dotF16(v, w, row, x, xOff);
    };
  }

  private static float dotBf16(Lanes v, DenseMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    int step = v.length();
    MemorySegment s = w.data();
    long base = (long) row * n * 2;
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    int c = 0;
    for (int end = n - 4 * step; c <= end; c += 4 * step) {
      long o = base + 2L * c;
      a0 = bf16(v, s, o).fma(FloatVector.fromArray(v.floats(), x, xOff + c), a0);
      a1 = bf16(v, s, o + 2L * step).fma(FloatVector.fromArray(v.floats(), x, xOff + c + step), a1);
      a2 =
          bf16(v, s, o + 4L * step)
              .fma(FloatVector.fromArray(v.floats(), x, xOff + c + 2 * step), a2);
      a3 =
          bf16(v, s, o + 6L * step)
              .fma(FloatVector.fromArray(v.floats(), x, xOff + c + 3 * step), a3);
    }
    for (int end = n - step; c <= end; c += step) {
      a0 = bf16(v, s, base + 2L * c).fma(FloatVector.fromArray(v.floats(), x, xOff + c), a0);
    }
    float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      sum += FloatFormat.BF16.get(s, (long) row * n + c) * x[xOff + c];
    }
    return sum;
  }

  private static float dotF16(Lanes v, DenseMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    int step = v.length();
    MemorySegment s = w.data();
    long base = (long) row * n * 2;
    FloatVector a0 = v.zero(), a1 = v.zero();
    int c = 0;
    for (int end = n - 2 * step; c <= end; c += 2 * step) {
      long o = base + 2L * c;
      a0 = f16(v, s, o).fma(FloatVector.fromArray(v.floats(), x, xOff + c), a0);
      a1 = f16(v, s, o + 2L * step).fma(FloatVector.fromArray(v.floats(), x, xOff + c + step), a1);
    }
    for (int end = n - step; c <= end; c += step) {
      a0 = f16(v, s, base + 2L * c).fma(FloatVector.fromArray(v.floats(), x, xOff + c), a0);
    }
    float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      sum += FloatFormat.F16.get(s, (long) row * n + c) * x[xOff + c];
    }
    return sum;
  }

  private static float dotF32(Lanes v, DenseMatrix w, int row, float[] x, int xOff) {
    int n = w.cols();
    int step = v.length();
    MemorySegment s = w.data();
    long base = (long) row * n * 4;
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    int c = 0;
    for (int end = n - 4 * step; c <= end; c += 4 * step) {
      long o = base + 4L * c;
      a0 = f32(v, s, o).fma(FloatVector.fromArray(v.floats(), x, xOff + c), a0);
      a1 = f32(v, s, o + 4L * step).fma(FloatVector.fromArray(v.floats(), x, xOff + c + step), a1);
      a2 =
          f32(v, s, o + 8L * step)
              .fma(FloatVector.fromArray(v.floats(), x, xOff + c + 2 * step), a2);
      a3 =
          f32(v, s, o + 12L * step)
              .fma(FloatVector.fromArray(v.floats(), x, xOff + c + 3 * step), a3);
    }
    for (int end = n - step; c <= end; c += step) {
      a0 = f32(v, s, base + 4L * c).fma(FloatVector.fromArray(v.floats(), x, xOff + c), a0);
    }
    float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      sum += FloatFormat.F32.get(s, (long) row * n + c) * x[xOff + c];
    }
    return sum;
  }

  /**
   * Widens {@code count} elements from flat element {@code element} into {@code dst}; one loop per
   * format so the decode is straight-line code (this also feeds gemm's decoded rows).
   */
  static void toFloat(Lanes v, DenseMatrix m, long element, float[] dst, int dstOff, int count) {
    FloatFormat format = m.format();
    MemorySegment s = m.data();
    int l = v.length();
    long base = element * format.bytes();
    int i = 0;
    switch (format) {
      case F32 -> {
        for (int end = count - l; i <= end; i += l) {
          f32(v, s, base + 4L * i).intoArray(dst, dstOff + i);
        }
      }
      case BF16 -> {
        for (int end = count - l; i <= end; i += l) {
          bf16(v, s, base + 2L * i).intoArray(dst, dstOff + i);
        }
      }
      case F16 -> {
        for (int end = count - l; i <= end; i += l) {
          f16(v, s, base + 2L * i).intoArray(dst, dstOff + i);
        }
      }
    }
    for (; i < count; i++) {
      dst[dstOff + i] = format.get(s, element + i);
    }
  }
}
