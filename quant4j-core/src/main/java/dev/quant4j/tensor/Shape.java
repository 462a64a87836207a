package dev.quant4j.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor, row-major. Immutable; the element count is computed once, with
 * overflow checks, so a shape that exists always has a count that fits in a long.
 */
public final class Shape {
  private static final Shape SCALAR = new Shape(new long[0], 1);

  private final long[] dims;
  private final long numel;

  private Shape(long[] dims, long numel) {
    this.dims = dims;
    this.numel = numel;
  }

  /**
   * A shape of the given dimensions (none for a scalar).
   *
   * @throws IllegalArgumentException when a dimension is negative or the element count overflows a
   *     long; readers of untrusted files check with {@link #numelOf} first and report the file
   */
  public static Shape of(long... dims) {
    if (dims.length == 0) {
      return SCALAR;
    }
    long n = numelOf(dims);
    if (n < 0) {
      throw new IllegalArgumentException("invalid shape " + Arrays.toString(dims));
    }
    return new Shape(dims.clone(), n);
  }

  /** The element count of {@code dims}, or -1 when a dimension is negative or it overflows. */
  public static long numelOf(long[] dims) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        return -1;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return n;
  }

  /** A copy of the dimensions. */
  public long[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int axis) {
    return dims[axis];
  }

  /** The element count: 1 for a scalar, 0 when any dimension is 0. */
  public long numel() {
    return numel;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** As the format writes it: {@code [4096, 256]}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
