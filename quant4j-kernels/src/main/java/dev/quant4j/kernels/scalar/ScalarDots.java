package dev.quant4j.kernels.scalar;

import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
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
}
