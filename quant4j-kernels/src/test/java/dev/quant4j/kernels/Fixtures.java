package dev.quant4j.kernels;

import dev.quant4j.kernels.panama.PanamaBackends;
import dev.quant4j.kernels.scalar.ScalarBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Backends under test and random operands. */
final class Fixtures {
  static final double U = 0x1p-24; // unit roundoff of float
  static final int[] SIZES = {1, 7, 13, 33, 64, 207, 4099};
  static final KernelBackend SCALAR = new ScalarBackend();

  private Fixtures() {}

  /** Panama at every forced width plus the preferred one (when the JVM can build it). */
  static List<KernelBackend> panamaBackends() {
    List<KernelBackend> list = new ArrayList<>();
    for (int bits : new int[] {128, 256, 512}) {
      list.add(PanamaBackends.withBitSize(bits));
    }
    PanamaBackends.Attempt preferred = PanamaBackends.preferred();
    if (preferred.backend() != null) {
      list.add(preferred.backend());
    }
    return list;
  }

  /** Lanes of a backend named panama-BITS, for its error bound. */
  static int lanes(KernelBackend b) {
    return b.name().startsWith("panama-") ? Integer.parseInt(b.name().substring(7)) / 32 : 1;
  }

  /**
   * Rigorous bound on float dot-product rounding for a backend summing {@code n} products: each
   * lane chain adds at most n/L terms, the accumulator merge, lane reduction and tail at most 5L +
   * 8 more; the scalar loop chains all n.
   */
  static double dotBound(KernelBackend b, int n, double sumAbs) {
    int l = lanes(b);
    double k = l == 1 ? n + 2 : (double) n / l + 5 * l + 10;
    return 1.01 * k * U * sumAbs + Float.MIN_NORMAL;
  }

  static float[] randomFloats(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  /** A matrix of random values in {@code format}, in an unaligned slice of native memory. */
  static DenseMatrix randomDense(Random r, FloatFormat format, int rows, int cols) {
    long bytes = (long) rows * cols * format.bytes();
    MemorySegment backing = Arena.ofAuto().allocate(bytes + 1);
    MemorySegment data = backing.asSlice(1, bytes); // memory maps promise no alignment
    for (long i = 0; i < (long) rows * cols; i++) {
      float v = (float) r.nextGaussian();
      switch (format) {
        case F32 -> data.set(FloatFormat.FLOAT_LE, i * 4, v);
        case BF16 ->
            data.set(FloatFormat.SHORT_LE, i * 2, (short) (Float.floatToIntBits(v) >>> 16));
        case F16 -> data.set(FloatFormat.SHORT_LE, i * 2, Float.floatToFloat16(v));
      }
    }
    return new DenseMatrix(data, format, rows, cols);
  }

  static MemorySegment floatsLe(float[] values) {
    MemorySegment s =
        Arena.ofAuto().allocate(values.length * 4L + 1).asSlice(1, values.length * 4L);
    for (int i = 0; i < values.length; i++) {
      s.set(FloatFormat.FLOAT_LE, i * 4L, values[i]);
    }
    return s;
  }

  /** Float activations: {@link Int8ActivationConformanceTest} covers the integer path. */
  static Int8RowMatrix randomInt8(Random r, int rows, int cols) {
    MemorySegment codes = Arena.ofAuto().allocate((long) rows * cols);
    for (long i = 0; i < (long) rows * cols; i++) {
      codes.set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(255) - 127));
    }
    float[] scales = new float[rows];
    for (int i = 0; i < rows; i++) {
      scales[i] = 0.01f + r.nextFloat();
    }
    return new Int8RowMatrix(codes, floatsLe(scales), rows, cols, ActivationPrecision.F32);
  }

  /** bitsandbytes' NF4 table. */
  static final Codebook NF4 =
      Codebook.of(
          -1.0f,
          -0.6961928f,
          -0.52507305f,
          -0.3949175f,
          -0.28444138f,
          -0.18477343f,
          -0.091050036f,
          0.0f,
          0.0795803f,
          0.1609302f,
          0.2461123f,
          0.33791524f,
          0.44070983f,
          0.562617f,
          0.72295684f,
          1.0f);

  /** bitsandbytes' FP4 table, normalized (its smallest magnitude is far under one int8 step). */
  static final Codebook FP4 =
      Codebook.of(
          0f,
          0.0052083333f,
          0.6666667f,
          1f,
          0.33333334f,
          0.5f,
          0.16666667f,
          0.25f,
          -0f,
          -0.0052083333f,
          -0.6666667f,
          -1f,
          -0.33333334f,
          -0.5f,
          -0.16666667f,
          -0.25f);

  static Packed4BitMatrix random4Bit(Random r, int rows, int cols, int blockSize) {
    long elements = (long) rows * cols;
    MemorySegment codes = Arena.ofAuto().allocate(elements / 2 + 1).asSlice(1, elements / 2);
    for (long i = 0; i < elements / 2; i++) {
      codes.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
    }
    float[] absmax = new float[(int) ((elements + blockSize - 1) / blockSize)];
    for (int i = 0; i < absmax.length; i++) {
      absmax[i] = 0.1f + r.nextFloat();
    }
    return new Packed4BitMatrix(
        codes, floatsLe(absmax), NF4, rows, cols, blockSize, ActivationPrecision.F32);
  }

  /**
   * Group-wise affine codes of {@code bits} with fractional zeros; {@code cols} rounded up to fill
   * whole bytes, the largest of 128, 32, 16, 4 dividing it as group size (else one group per row).
   */
  static GroupedIntMatrix randomGrouped(Random r, int bits, int rows, int cols) {
    int n = (cols + 3) / 4 * 4;
    int groupSize = n;
    for (int g : new int[] {4, 16, 32, 128}) {
      if (n % g == 0 && n > g) {
        groupSize = g;
      }
    }
    return randomGrouped(r, bits, rows, n, groupSize);
  }

  /** Group-wise affine codes of {@code bits} with fractional zeros, groups of {@code groupSize}. */
  static GroupedIntMatrix randomGrouped(Random r, int bits, int rows, int n, int groupSize) {
    long bytes = (long) rows * n * bits / 8;
    MemorySegment codes = Arena.ofAuto().allocate(bytes + 1).asSlice(1, bytes);
    for (long i = 0; i < bytes; i++) {
      codes.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
    }
    int groups = rows * (n / groupSize);
    float[] scales = new float[groups];
    float[] zeros = new float[groups];
    for (int i = 0; i < groups; i++) {
      scales[i] = 0.01f + r.nextFloat() / (1 << bits);
      zeros[i] = r.nextFloat() * ((1 << bits) - 1);
    }
    return new GroupedIntMatrix(codes, bits, floatsLe(scales), floatsLe(zeros), rows, n, groupSize);
  }

  /** e4m3 codes (every finite one may occur) with {@code blockRows x blockCols} scales. */
  static Fp8Matrix randomFp8(Random r, int rows, int cols, int blockRows, int blockCols) {
    MemorySegment codes =
        Arena.ofAuto().allocate((long) rows * cols + 1).asSlice(1, (long) rows * cols);
    for (long i = 0; i < (long) rows * cols; i++) {
      byte b;
      do {
        b = (byte) r.nextInt(256);
      } while (E4m3.isNaN(b));
      codes.set(ValueLayout.JAVA_BYTE, i, b);
    }
    int blocks = ((rows + blockRows - 1) / blockRows) * ((cols + blockCols - 1) / blockCols);
    float[] scales = new float[blocks];
    for (int i = 0; i < blocks; i++) {
      scales[i] = (0.5f + r.nextFloat()) / 448f;
    }
    return new Fp8Matrix(
        codes, floatsLe(scales), rows, cols, blockRows, blockCols, ActivationQuantizer.NONE);
  }

  /** W[row][col] exactly as the layout defines it (float-rounded for 4-bit, scaled for int8). */
  static double weight(WeightMatrix w, int row, int col) {
    return switch (w) {
      case DenseMatrix d -> d.get(row, col);
      case Int8RowMatrix q -> q.code(row, col);
      case Packed4BitMatrix q -> q.get(row, col);
      case GroupedIntMatrix q -> q.get(row, col);
      case Fp8Matrix q -> q.get(row, col);
    };
  }

  static double factor(WeightMatrix w, int row) {
    return w instanceof Int8RowMatrix q ? q.rowFactor(row) : 1.0;
  }
}
