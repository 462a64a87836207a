package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.GroupedIntMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Group-wise affine 2/4/8-bit rows dequantized in registers. A byte load zero-extended to {@code L}
 * int lanes holds {@code 8 / bits} codes per lane; a shift and a mask free code {@code j} of every
 * lane at once, which is element {@code j} of each byte.
 *
 * <p>Unpack order: as in {@link Packed4Kernels}, putting codes back into element order would cost a
 * cross-lane shuffle per vector, so the kernels take {@code x} rearranged once per call ({@link
 * #prepare}): each run of {@code L * 8 / bits} elements (the codes of {@code L} bytes) lists
 * element {@code j} of every byte for {@code j = 0, 1, ...}. 8-bit codes come out in element order.
 * The gemm decoder writes weights in the same order, so its products pair up identically.
 *
 * <p>The gemv computes {@code sum_g scale_g * (sum_c q_c x_c - zero_g * sum_c x_c)}: the per-group
 * sums of {@code x} are taken once per call, so the inner loop is a convert and a fused
 * multiply-add per element and the affine parts cost two scalar operations per group. The price is
 * cancellation: its rounding error scales with {@code sum |q s x| + sum |zero s x|} rather than
 * {@code sum |(q - zero) s x|} (bound in the tests' {@code ScaledBounds}).
 *
 * <p>The vector path needs groups that are whole byte loads ({@link #vectorizable}: multiples of 32
 * elements at 128 and 256 bits and of 64 at 512 bits cover every code width; 4- and 8-bit codes
 * need only 16 and 8 at 256 bits); other group sizes decode element by element ({@link
 * #decodeScalar}) and multiply with the vector dot and gemm blocks.
 */
final class GroupedKernels {
  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

  private GroupedKernels() {}

  /** Elements in one byte load. */
  private static int chunk(Lanes v, int bits) {
    return v.bytes().length() * (8 / bits);
  }

  /** Whether {@code w} takes the vector path (and {@code x} must be {@link #prepare}d). */
  static boolean vectorizable(Lanes v, GroupedIntMatrix w) {
    return w.groupSize() % chunk(v, w.bits()) == 0;
  }

  /** Floats {@link #prepare} writes. */
  static int preparedSize(GroupedIntMatrix w, int tokens, boolean sums) {
    return tokens * (w.cols() + (sums ? w.groupsPerRow() : 0));
  }

  /**
   * {@code tokens} rows of {@code x} in unpack order into {@code dst[0, tokens * cols)}; with
   * {@code sums}, then each token's per-group sums of {@code x} at {@code dst[tokens * cols + t *
   * groups + g]}, accumulated in double and rounded once. Requires {@link #vectorizable}.
   */
  static void prepare(
      Lanes v, GroupedIntMatrix w, float[] x, int xOff, int tokens, boolean sums, float[] dst) {
    int n = w.cols();
    int perByte = 8 / w.bits();
    int l = v.length();
    int run = l * perByte;
    int groups = w.groupsPerRow();
    int groupSize = w.groupSize();
    for (int t = 0; t < tokens; t++) {
      int src = xOff + t * n;
      int d = t * n;
      if (perByte == 1) {
        System.arraycopy(x, src, dst, d, n);
      } else {
        for (int p = 0; p < n; p += run) {
          for (int i = 0; i < l; i++) {
            for (int j = 0; j < perByte; j++) {
              dst[d + p + j * l + i] = x[src + p + i * perByte + j];
            }
          }
        }
      }
      if (sums) {
        int at = tokens * n + t * groups;
        for (int g = 0; g < groups; g++) {
          double s = 0;
          for (int c = g * groupSize, end = c + groupSize; c < end; c++) {
            s += x[src + c];
          }
          dst[at + g] = (float) s;
        }
      }
    }
  }

  /**
   * Row {@code row} times one {@link #prepare}d token: unpack-ordered {@code xs[xOff, xOff + cols)}
   * and its group sums {@code sums[sumsOff, sumsOff + groups)}.
   */
  static float dot(
      Lanes v, GroupedIntMatrix w, int row, float[] xs, int xOff, float[] sums, int sumsOff) {
    return switch (w.bits()) {
      case 2 -> dot2(v, w, row, xs, xOff, sums, sumsOff);
      case 4 -> dot4(v, w, row, xs, xOff, sums, sumsOff);
      default -> dot8(v, w, row, xs, xOff, sums, sumsOff);
    };
  }

  private static ByteVector load(Lanes v, MemorySegment codes, long byteOffset) {
    return ByteVector.fromMemorySegment(v.bytes(), codes, byteOffset, LE);
  }

  /** Lanes {@code part} of {@code b} as unsigned ints. */
  private static IntVector widen(Lanes v, ByteVector b, int part) {
    return (IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, v.ints(), part);
  }

  private static FloatVector floats(IntVector q) {
    return (FloatVector) q.convert(VectorOperators.I2F, 0);
  }

  private static FloatVector x(Lanes v, float[] xs, int at) {
    return FloatVector.fromArray(v.floats(), xs, at);
  }

  private static float dot4(
      Lanes v, GroupedIntMatrix w, int row, float[] xs, int xOff, float[] sums, int sumsOff) {
    int l = v.length();
    int bl = v.bytes().length();
    int parts = v.bytePartsPerLoad();
    int chunk = 2 * bl;
    int groupSize = w.groupSize();
    int groups = w.groupsPerRow();
    MemorySegment codes = w.codes();
    long rowByte = (long) row * w.rowBytes();
    long firstGroup = (long) row * groups * 4;
    FloatVector even = v.zero(), odd = v.zero();
    float offsets = 0f;
    for (int g = 0; g < groups; g++) {
      FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
      int e = g * groupSize;
      int end = e + groupSize;
      for (; e + 2 * chunk <= end; e += 2 * chunk) {
        ByteVector b0 = load(v, codes, rowByte + e / 2);
        ByteVector b1 = load(v, codes, rowByte + (e + chunk) / 2);
        for (int p = 0; p < parts; p++) {
          IntVector q0 = widen(v, b0, p);
          IntVector q1 = widen(v, b1, p);
          int x0 = xOff + e + p * 2 * l;
          int x1 = x0 + chunk;
          a0 = floats(q0.and(15)).fma(x(v, xs, x0), a0);
          a1 = floats(q0.lanewise(VectorOperators.LSHR, 4)).fma(x(v, xs, x0 + l), a1);
          a2 = floats(q1.and(15)).fma(x(v, xs, x1), a2);
          a3 = floats(q1.lanewise(VectorOperators.LSHR, 4)).fma(x(v, xs, x1 + l), a3);
        }
      }
      if (e < end) {
        ByteVector b0 = load(v, codes, rowByte + e / 2);
        for (int p = 0; p < parts; p++) {
          IntVector q0 = widen(v, b0, p);
          int x0 = xOff + e + p * 2 * l;
          a0 = floats(q0.and(15)).fma(x(v, xs, x0), a0);
          a1 = floats(q0.lanewise(VectorOperators.LSHR, 4)).fma(x(v, xs, x0 + l), a1);
        }
      }
      float scale = w.scales().get(FLOAT_LE, firstGroup + 4L * g);
      float zero = w.zeros().get(FLOAT_LE, firstGroup + 4L * g);
      FloatVector sum = a0.add(a1).add(a2.add(a3));
      FloatVector s = FloatVector.broadcast(v.floats(), scale);
      // Alternate groups between two totals: small groups would otherwise wait on the latency of
      // one fused multiply-add chain.
      if ((g & 1) == 0) {
        even = sum.fma(s, even);
      } else {
        odd = sum.fma(s, odd);
      }
      offsets += zero * scale * sums[sumsOff + g];
    }
    return even.add(odd).reduceLanes(VectorOperators.ADD) - offsets;
  }

  private static float dot2(
      Lanes v, GroupedIntMatrix w, int row, float[] xs, int xOff, float[] sums, int sumsOff) {
    int l = v.length();
    int bl = v.bytes().length();
    int parts = v.bytePartsPerLoad();
    int chunk = 4 * bl;
    int groupSize = w.groupSize();
    int groups = w.groupsPerRow();
    MemorySegment codes = w.codes();
    long rowByte = (long) row * w.rowBytes();
    long firstGroup = (long) row * groups * 4;
    FloatVector even = v.zero(), odd = v.zero();
    float offsets = 0f;
    for (int g = 0; g < groups; g++) {
      FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
      for (int e = g * groupSize, end = e + groupSize; e < end; e += chunk) {
        ByteVector b = load(v, codes, rowByte + e / 4);
        for (int p = 0; p < parts; p++) {
          IntVector q = widen(v, b, p);
          int x0 = xOff + e + p * 4 * l;
          a0 = floats(q.and(3)).fma(x(v, xs, x0), a0);
          a1 = floats(q.lanewise(VectorOperators.LSHR, 2).and(3)).fma(x(v, xs, x0 + l), a1);
          a2 = floats(q.lanewise(VectorOperators.LSHR, 4).and(3)).fma(x(v, xs, x0 + 2 * l), a2);
          a3 = floats(q.lanewise(VectorOperators.LSHR, 6)).fma(x(v, xs, x0 + 3 * l), a3);
        }
      }
      float scale = w.scales().get(FLOAT_LE, firstGroup + 4L * g);
      float zero = w.zeros().get(FLOAT_LE, firstGroup + 4L * g);
      FloatVector sum = a0.add(a1).add(a2.add(a3));
      FloatVector s = FloatVector.broadcast(v.floats(), scale);
      // Alternate groups between two totals: small groups would otherwise wait on the latency of
      // one fused multiply-add chain.
      if ((g & 1) == 0) {
        even = sum.fma(s, even);
      } else {
        odd = sum.fma(s, odd);
      }
      offsets += zero * scale * sums[sumsOff + g];
    }
    return even.add(odd).reduceLanes(VectorOperators.ADD) - offsets;
  }

  private static float dot8(
      Lanes v, GroupedIntMatrix w, int row, float[] xs, int xOff, float[] sums, int sumsOff) {
    int l = v.length();
    int bl = v.bytes().length();
    int parts = v.bytePartsPerLoad();
    int groupSize = w.groupSize();
    int groups = w.groupsPerRow();
    MemorySegment codes = w.codes();
    long rowByte = (long) row * w.rowBytes();
    long firstGroup = (long) row * groups * 4;
    FloatVector even = v.zero(), odd = v.zero();
    float offsets = 0f;
    for (int g = 0; g < groups; g++) {
      FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
      int e = g * groupSize;
      int end = e + groupSize;
      for (; e + 4 * bl <= end; e += 4 * bl) {
        ByteVector b0 = load(v, codes, rowByte + e);
        ByteVector b1 = load(v, codes, rowByte + e + bl);
        ByteVector b2 = load(v, codes, rowByte + e + 2 * bl);
        ByteVector b3 = load(v, codes, rowByte + e + 3 * bl);
        for (int p = 0; p < parts; p++) {
          int x0 = xOff + e + p * l;
          a0 = floats(widen(v, b0, p)).fma(x(v, xs, x0), a0);
          a1 = floats(widen(v, b1, p)).fma(x(v, xs, x0 + bl), a1);
          a2 = floats(widen(v, b2, p)).fma(x(v, xs, x0 + 2 * bl), a2);
          a3 = floats(widen(v, b3, p)).fma(x(v, xs, x0 + 3 * bl), a3);
        }
      }
      for (; e < end; e += bl) {
        ByteVector b0 = load(v, codes, rowByte + e);
        for (int p = 0; p < parts; p++) {
          a0 = floats(widen(v, b0, p)).fma(x(v, xs, xOff + e + p * l), a0);
        }
      }
      float scale = w.scales().get(FLOAT_LE, firstGroup + 4L * g);
      float zero = w.zeros().get(FLOAT_LE, firstGroup + 4L * g);
      FloatVector sum = a0.add(a1).add(a2.add(a3));
      FloatVector s = FloatVector.broadcast(v.floats(), scale);
      // Alternate groups between two totals: small groups would otherwise wait on the latency of
      // one fused multiply-add chain.
      if ((g & 1) == 0) {
        even = sum.fma(s, even);
      } else {
        odd = sum.fma(s, odd);
      }
      offsets += zero * scale * sums[sumsOff + g];
    }
    return even.add(odd).reduceLanes(VectorOperators.ADD) - offsets;
  }

  /**
   * Rows {@code [r0, r0 + count)} dequantized into {@code dst} in unpack order, each weight {@code
   * (q - zero) * scale} rounded as the reference rounds it. Requires {@link #vectorizable}.
   */
  static void decode(Lanes v, GroupedIntMatrix w, int r0, int count, float[] dst) {
    VectorSpecies<Byte> bs = v.bytes();
    int bits = w.bits();
    int perByte = 8 / bits;
    int mask = (1 << bits) - 1;
    int l = v.length();
    int parts = v.bytePartsPerLoad();
    int chunk = bs.length() * perByte;
    int n = w.cols();
    int groupSize = w.groupSize();
    MemorySegment codes = w.codes();
    for (int i = 0; i < count; i++) {
      int row = r0 + i;
      long rowByte = (long) row * w.rowBytes();
      for (int g = 0, groups = w.groupsPerRow(); g < groups; g++) {
        float scale = w.scale(row, g);
        float zero = w.zero(row, g);
        for (int e = g * groupSize, end = e + groupSize; e < end; e += chunk) {
          ByteVector b = load(v, codes, rowByte + e / perByte);
          for (int p = 0; p < parts; p++) {
            IntVector q = widen(v, b, p);
            int d = i * n + e + p * l * perByte;
            for (int j = 0; j < perByte; j++) {
              floats(q.lanewise(VectorOperators.LSHR, j * bits).and(mask))
                  .sub(zero)
                  .mul(scale)
                  .intoArray(dst, d + j * l);
            }
          }
        }
      }
    }
  }

  /** Rows in element order, for group sizes {@link #vectorizable} rejects. */
  static void decodeScalar(GroupedIntMatrix w, int r0, int count, float[] dst) {
    int n = w.cols();
    int groupSize = w.groupSize();
    for (int i = 0; i < count; i++) {
      int row = r0 + i;
      for (int g = 0, groups = w.groupsPerRow(); g < groups; g++) {
        float scale = w.scale(row, g);
        float zero = w.zero(row, g);
        for (int c = g * groupSize, end = c + groupSize; c < end; c++) {
          dst[i * n + c] = (w.code(row, c) - zero) * scale;
        }
      }
    }
  }
}
