package dev.quant4j.kernels.scalar;

import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.E4m3;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.Packed4BitMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Row-times-vector dot products, one loop per layout, the format switch outside the loop. */
final class ScalarDots {
  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private ScalarDots() {}

  static float dense(DenseMatrix w, int row, float[] x, int xOff) {
    int cols = w.cols();
    MemorySegment data = w.data();
    long base = (long) row * cols * w.format().bytes();
    float sum = 0f;
    switch (w.format()) {
      case F32 -> {
        for (int c = 0; c < cols; c++) {
          sum += data.get(FLOAT_LE, base + 4L * c) * x[xOff + c];
        }
      }
      case BF16 -> {
        for (int c = 0; c < cols; c++) {
          sum += FloatFormat.bf16ToFloat(data.get(SHORT_LE, base + 2L * c)) * x[xOff + c];
        }
      }
      case F16 -> {
        for (int c = 0; c < cols; c++) {
          sum += Float.float16ToFloat(data.get(SHORT_LE, base + 2L * c)) * x[xOff + c];
        }
      }
    }
    return sum;
  }

  /** The unscaled sum of {@code code * x}; exact products, float accumulation. */
  static float int8(Int8RowMatrix w, int row, float[] x, int xOff) {
    int cols = w.cols();
    MemorySegment codes = w.codes();
    long base = (long) row * cols;
    float sum = 0f;
    for (int c = 0; c < cols; c++) {
      sum += codes.get(ValueLayout.JAVA_BYTE, base + c) * x[xOff + c];
    }
    return sum;
  }

  static float packed4(Packed4BitMatrix w, int row, float[] x, int xOff) {
    int cols = w.cols();
    int blockSize = w.blockSize();
    long first = (long) row * cols;
    float sum = 0f;
    for (int c = 0; c < cols; c++) {
      long e = first + c;
      float weight = w.codebook().get(w.code(e)) * w.absmax(e / blockSize);
      sum += weight * x[xOff + c];
    }
    return sum;
  }

  /** Group by group: {@code sum_g scale_g * sum_c (q_c - zero_g) * x_c}. */
  static float grouped(GroupedIntMatrix w, int row, float[] x, int xOff) {
    int groupSize = w.groupSize();
    float sum = 0f;
    for (int g = 0, groups = w.groupsPerRow(); g < groups; g++) {
      float zero = w.zero(row, g);
      float partial = 0f;
      for (int c = g * groupSize, end = c + groupSize; c < end; c++) {
        partial += (w.code(row, c) - zero) * x[xOff + c];
      }
      sum += partial * w.scale(row, g);
    }
    return sum;
  }

  /** Block by block along the row: {@code sum_b scale_b * sum_c e4m3(q_c) * x_c}. */
  static float fp8(Fp8Matrix w, int row, float[] x, int xOff) {
    int cols = w.cols();
    int blockCols = w.blockCols();
    float sum = 0f;
    for (int c0 = 0; c0 < cols; c0 += blockCols) {
      float partial = 0f;
      for (int c = c0, end = Math.min(cols, c0 + blockCols); c < end; c++) {
        partial += E4m3.toFloat(w.code(row, c)) * x[xOff + c];
      }
      sum += partial * w.scale(row, c0);
    }
    return sum;
  }
}
