package dev.quant4j.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The 16 values a 4-bit code stands for (bitsandbytes' NF4 or FP4 table, normalized to [-1, 1]).
 * Immutable: the values are copied in and exposed as a read-only segment so vector kernels can load
 * them without another copy.
 */
public final class Codebook {
  /** Number of entries: one per 4-bit code. */
  public static final int SIZE = 16;

  private final float[] values;
  private final MemorySegment segment;

  private Codebook(float[] values) {
    this.values = values;
    this.segment = MemorySegment.ofArray(values).asReadOnly();
  }

  /** A codebook of exactly 16 finite values, copied. */
  public static Codebook of(float... values) {
    if (values.length != SIZE) {
      throw new IllegalArgumentException(
          "4-bit codebook: expected " + SIZE + " values, got " + values.length);
    }
    for (int i = 0; i < SIZE; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException(
            "4-bit codebook: entry " + i + " must be finite, got " + values[i]);
      }
    }
    return new Codebook(values.clone());
  }

  /** The value of {@code code} (0..15). */
  public float get(int code) {
    return values[code];
  }

  /** The 16 values as native-order f32, read-only. */
  public MemorySegment segment() {
    return segment;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Codebook other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Codebook" + Arrays.toString(values);
  }
}
