package dev.quant4j.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Group-wise affine integer weights, the shared layout that GPTQ, AWQ, HQQ, TorchAO int4/int8,
 * compressed-tensors {@code pack-quantized}/{@code int-quantized}, Quanto int2/int4/int8 and
 * BitNet's ternary weights repack into: {@code W[r][c] = (q[r][c] - zero[r][g]) * scale[r][g]} with
 * {@code g = c / groupSize}. Codes are unsigned: a signed format stores {@code q + 2^(bits-1)} and
 * adds the same offset to its zeros, which is exact in float.
 *
 * <p>Codes are packed row-major, each row starting on a byte boundary ({@code cols * bits % 8 ==
 * 0}); inside a byte, element {@code k} of the byte occupies bits {@code [k * bits, (k + 1) *
 * bits)}: the first element in the lowest bits. Kernels dequantize in registers, never into a float
 * copy of the matrix.
 *
 * @param codes {@code rows * cols * bits / 8} bytes
 * @param bits 2, 4 or 8 (3-bit formats repack into 4, 1-bit ones into 2)
 * @param scales {@code rows * (cols / groupSize)} little-endian f32 values, row-major
 * @param zeros as {@code scales}: the code value that stands for zero, possibly fractional
 * @param groupSize positive and dividing {@code cols}; {@code cols} for one group per row
 * @param activations what the layer does to its input first ({@link ActivationQuantizer#NONE} for
 *     weight-only methods)
 */
public record GroupedIntMatrix(
    MemorySegment codes,
    int bits,
    MemorySegment scales,
    MemorySegment zeros,
    int rows,
    int cols,
    int groupSize,
    ActivationQuantizer activations)
    implements WeightMatrix {

  public GroupedIntMatrix {
    Shapes.requireMatrix("grouped int matrix", rows, cols);
    String what = "int" + bits + " grouped matrix " + rows + "x" + cols;
    if (bits != 2 && bits != 4 && bits != 8) {
      throw new IllegalArgumentException(what + ": expected 2, 4 or 8 bits, got " + bits);
    }
    if ((long) cols * bits % 8 != 0) {
      throw new IllegalArgumentException(
          what + ": rows must fill whole bytes, got " + cols + " columns of " + bits + " bits");
    }
    if (groupSize <= 0 || cols % groupSize != 0) {
      throw new IllegalArgumentException(
          what + ": expected a group size dividing " + cols + ", got " + groupSize);
    }
    if (activations == null) {
      throw new IllegalArgumentException(what + ": activations is null (use NONE)");
    }
    Shapes.requireBytes(what + " codes", codes, (long) rows * cols * bits / 8);
    long groups = (long) rows * (cols / groupSize);
    Shapes.requireBytes(what + " scales (" + groups + " groups)", scales, groups * 4);
    Shapes.requireBytes(what + " zeros (" + groups + " groups)", zeros, groups * 4);
  }

  /** A weight-only matrix. */
  public GroupedIntMatrix(
      MemorySegment codes,
      int bits,
      MemorySegment scales,
      MemorySegment zeros,
      int rows,
      int cols,
      int groupSize) {
    this(codes, bits, scales, zeros, rows, cols, groupSize, ActivationQuantizer.NONE);
  }

  @Override
  public long storageBytes() {
    return codes.byteSize() + scales.byteSize() + zeros.byteSize();
  }

  /** Groups per row. */
  public int groupsPerRow() {
    return cols / groupSize;
  }

  /** Bytes per row of codes. */
  public int rowBytes() {
    return cols * bits / 8;
  }

  /** The unsigned code at {@code (row, col)}. */
  public int code(int row, int col) {
    long bit = ((long) row * cols + col) * bits;
    int b = codes.get(ValueLayout.JAVA_BYTE, bit >>> 3) & 0xFF;
    return (b >>> (int) (bit & 7)) & ((1 << bits) - 1);
  }

  /** The scale of group {@code group} of row {@code row}. */
  public float scale(int row, int group) {
    return scales.get(FloatFormat.FLOAT_LE, ((long) row * groupsPerRow() + group) * 4);
  }

  /** The zero of group {@code group} of row {@code row}. */
  public float zero(int row, int group) {
    return zeros.get(FloatFormat.FLOAT_LE, ((long) row * groupsPerRow() + group) * 4);
  }

  /** The dequantized value of {@code (row, col)}; for tests and tails, not for hot loops. */
  public float get(int row, int col) {
    int g = col / groupSize;
    return (code(row, col) - zero(row, g)) * scale(row, g);
  }
}
