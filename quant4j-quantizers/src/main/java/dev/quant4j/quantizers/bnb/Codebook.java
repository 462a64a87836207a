package dev.quant4j.quantizers.bnb;

import java.util.Arrays;

/**
 * An immutable table of float32 code values, indexed by code. Equality is bitwise, so {@code -0.0}
 * and {@code +0.0} differ, as they do in the serialized tables.
 */
public final class Codebook {
  private final float[] values;

  private Codebook(float[] values) {
    this.values = values;
  }

  /** A codebook from IEEE-754 binary32 bit patterns, the form bitsandbytes' tables are given in. */
  static Codebook ofBits(int... bits) {
    float[] v = new float[bits.length];
    for (int i = 0; i < bits.length; i++) {
      v[i] = Float.intBitsToFloat(bits[i]);
    }
    return new Codebook(v);
  }

  public int size() {
    return values.length;
  }

  public float value(int code) {
    return values[code];
  }

  /** A fresh copy of the values. */
  public float[] toArray() {
    return values.clone();
  }

  /** True when {@code other} holds exactly these values, bit for bit. */
  public boolean bitsEqual(float[] other) {
    if (other.length != values.length) {
      return false;
    }
    for (int i = 0; i < values.length; i++) {
      if (Float.floatToRawIntBits(other[i]) != Float.floatToRawIntBits(values[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Codebook c && bitsEqual(c.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
