package dev.quant4j.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * FP8 E4M3 ({@code float8_e4m3fn}) weights with block scales: {@code W[r][c] = e4m3(codes[r][c]) *
 * scale[r / blockRows][c / blockCols]}. One shape covers every FP8 checkpoint: per-tensor ({@code
 * blockRows = rows, blockCols = cols}), per-channel as FBGEMM FP8 and compressed-tensors write it
 * ({@code 1 x cols}), and the 128x128 blocks of fine-grained FP8 (DeepSeek-V3, Qwen3 FP8), where
 * the last block of a row or column may be partial.
 *
 * @param codes {@code rows * cols} e4m3 bytes, row-major; the loader has rejected NaN codes
 * @param scales {@code ceil(rows / blockRows) * ceil(cols / blockCols)} little-endian f32 values,
 *     row-major (the multiplier: a checkpoint's {@code weight_scale_inv} as it is stored)
 * @param activations what the layer does to its input first
 */
public record Fp8Matrix(
    MemorySegment codes,
    MemorySegment scales,
    int rows,
    int cols,
    int blockRows,
    int blockCols,
    ActivationQuantizer activations)
    implements WeightMatrix {

  public Fp8Matrix {
    Shapes.requireMatrix("fp8 matrix", rows, cols);
    String what = "fp8 matrix " + rows + "x" + cols;
    if (blockRows <= 0 || blockCols <= 0) {
      throw new IllegalArgumentException(
          what + ": expected positive scale blocks, got " + blockRows + "x" + blockCols);
    }
    if (activations == null) {
      throw new IllegalArgumentException(what + ": activations is null (use NONE)");
    }
    Shapes.requireBytes(what + " codes", codes, (long) rows * cols);
    long blocks = (long) ceilDiv(rows, blockRows) * ceilDiv(cols, blockCols);
    Shapes.requireBytes(what + " scales (" + blocks + " blocks)", scales, blocks * 4);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  @Override
  public long storageBytes() {
    return codes.byteSize() + scales.byteSize();
  }

  /** Scale blocks per row of blocks. */
  public int blocksPerRow() {
    return ceilDiv(cols, blockCols);
  }

  /** The e4m3 byte at {@code (row, col)}. */
  public byte code(int row, int col) {
    return codes.get(ValueLayout.JAVA_BYTE, (long) row * cols + col);
  }

  /** The scale of the block holding {@code (row, col)}. */
  public float scale(int row, int col) {
    long block = (long) (row / blockRows) * blocksPerRow() + col / blockCols;
    return scales.get(FloatFormat.FLOAT_LE, block * 4);
  }

  /** The dequantized value of {@code (row, col)}; for tests and tails, not for hot loops. */
  public float get(int row, int col) {
    return E4m3.toFloat(code(row, col)) * scale(row, col);
  }
}
