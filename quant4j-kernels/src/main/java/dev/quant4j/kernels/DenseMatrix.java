package dev.quant4j.kernels;

import java.lang.foreign.MemorySegment;

/**
 * An unquantized row-major matrix over memory (typically a memory-mapped safetensors tensor):
 * element {@code (r, c)} is at byte {@code (r * cols + c) * format.bytes()}, little-endian, with no
 * alignment assumed. A 1-D tensor (an rmsnorm weight, say) is a matrix with one row.
 *
 * @param data exactly {@code rows * cols * format.bytes()} bytes
 */
public record DenseMatrix(MemorySegment data, FloatFormat format, int rows, int cols)
    implements WeightMatrix {

  public DenseMatrix {
    Shapes.requireMatrix("dense matrix", rows, cols);
    if (format == null) {
      throw new IllegalArgumentException("dense matrix: format is null");
    }
    Shapes.requireBytes(
        "dense " + format + " matrix " + rows + "x" + cols,
        data,
        (long) rows * cols * format.bytes());
  }

  @Override
  public long storageBytes() {
    return data.byteSize();
  }

  /** Element {@code (row, col)} widened to float; for tests and tails, not for hot loops. */
  public float get(int row, int col) {
    return format.get(data, (long) row * cols + col);
  }
}
