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
  // ActivationPrecision.INT8: the values as multiples of one step, the largest magnitude 127.
  private final float int8Step;
  private final byte[] int8Codes;
  private final Codebook roundedToInt8;

  private Codebook(float[] values) {
    this.values = values;
    this.segment = MemorySegment.ofArray(values).asReadOnly();
    float max = 0f;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    this.int8Step = max / 127f;
    this.int8Codes = new byte[SIZE];
    float[] rounded = new float[SIZE];
    for (int i = 0; i < SIZE; i++) {
      double code = max == 0f ? 0 : Math.rint(values[i] / int8Step);
      int8Codes[i] = (byte) Math.max(-127, Math.min(127, code));
      rounded[i] = int8Codes[i] * int8Step;
    }
    this.roundedToInt8 = new Codebook(rounded, this);
  }

  /** The rounded form of {@code parent}: same int8 codes and step, rounding to itself. */
  private Codebook(float[] rounded, Codebook parent) {
    this.values = rounded;
    this.segment = MemorySegment.ofArray(rounded).asReadOnly();
    this.int8Step = parent.int8Step;
    this.int8Codes = parent.int8Codes;
    this.roundedToInt8 = this;
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

  /**
   * The values as int8 multiples of {@link #int8Step()}, {@code rint(value / step)}: the weights
   * {@link ActivationPrecision#INT8} multiplies (a copy).
   */
  public byte[] int8Codes() {
    return int8Codes.clone();
  }

  /** Entry {@code code} of {@link #int8Codes()}. */
  public byte int8Code(int code) {
    return int8Codes[code];
  }

  /** {@code max|value| / 127}: the weight of one int8 code step. */
  public float int8Step() {
    return int8Step;
  }

  /**
   * The codebook {@link ActivationPrecision#INT8} effectively uses, {@code int8Codes[i] * int8Step}
   * in float: what a float kernel decodes to reproduce the integer path (prefill).
   */
  public Codebook roundedToInt8() {
    return roundedToInt8;
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
