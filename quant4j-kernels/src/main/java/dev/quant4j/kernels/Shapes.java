package dev.quant4j.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Argument checks shared by the matrix types and backends. Kernels sit below core and cannot throw
 * its typed errors: by the time data reaches them the loader has validated it against the file, so
 * a failure here is a caller bug and is reported as such, naming expected and actual sizes.
 */
public final class Shapes {
  private Shapes() {}

  static void requireMatrix(String what, int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          what + ": expected positive rows and cols, got " + rows + "x" + cols);
    }
  }

  static void requireBytes(String what, MemorySegment segment, long expected) {
    Objects.requireNonNull(segment, what);
    if (segment.byteSize() != expected) {
      throw new IllegalArgumentException(
          what + ": expected " + expected + " bytes, got " + segment.byteSize());
    }
  }

  /** Checks that {@code array[offset, offset + length)} exists, naming the argument. */
  public static void requireRange(String what, float[] array, int offset, long length) {
    if (offset < 0 || length < 0 || offset + length > array.length) {
      throw new IndexOutOfBoundsException(
          what
              + ": range ["
              + offset
              + ", "
              + (offset + length)
              + ") outside an array of length "
              + array.length);
    }
  }

  /** Checks the operands of {@code out[tokens][rows] = x[tokens][cols] * W^T}. */
  public static void requireMatmul(
      WeightMatrix w, float[] x, int xOff, int tokens, float[] out, int outOff) {
    if (tokens <= 0) {
      throw new IllegalArgumentException("matmul: expected at least one token, got " + tokens);
    }
    // The names are built only on failure: this runs on every decode-time matmul, which must not
    // allocate.
    long in = (long) tokens * w.cols();
    if (xOff < 0 || xOff + in > x.length) {
      requireRange("matmul input x (" + tokens + "x" + w.cols() + ")", x, xOff, in);
    }
    long result = (long) tokens * w.rows();
    if (outOff < 0 || outOff + result > out.length) {
      requireRange("matmul output (" + tokens + "x" + w.rows() + ")", out, outOff, result);
    }
  }
}
