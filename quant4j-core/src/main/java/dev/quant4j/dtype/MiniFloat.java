package dev.quant4j.dtype;

/**
 * The narrow float formats described by their bit fields, decoded and encoded by exact arithmetic
 * (scaling by powers of two, which is exact in double) rather than bit tricks per format.
 */
enum MiniFloat {
  E4M3FN(4, 3, 7, Special.ALL_ONES_NAN),
  E5M2(5, 2, 15, Special.IEEE),
  E4M3FNUZ(4, 3, 8, Special.NEGATIVE_ZERO_NAN),
  E5M2FNUZ(5, 2, 16, Special.NEGATIVE_ZERO_NAN),
  E2M1(2, 1, 1, Special.NONE),
  E2M3(2, 3, 1, Special.NONE),
  E3M2(3, 2, 3, Special.NONE);

  /** How a format spends its special codes. */
  private enum Special {
    /** Top exponent holds infinity (mantissa 0) and NaN. */
    IEEE,
    /** Only the all-ones magnitude is NaN; no infinity. */
    ALL_ONES_NAN,
    /** The sign bit alone (negative zero) is the only NaN; no infinity. */
    NEGATIVE_ZERO_NAN,
    /** Every code is finite. */
    NONE
  }

  private final int expBits;
  private final int manBits;
  private final int bias;
  private final Special special;

  MiniFloat(int expBits, int manBits, int bias, Special special) {
    this.expBits = expBits;
    this.manBits = manBits;
    this.bias = bias;
    this.special = special;
  }

  private int width() {
    return 1 + expBits + manBits;
  }

  /** The value of every code, indexed by code. */
  float[] table() {
    float[] t = new float[1 << width()];
    for (int code = 0; code < t.length; code++) {
      t[code] = decode(code);
    }
    return t;
  }

  float decode(int code) {
    int signBit = 1 << (expBits + manBits);
    boolean negative = (code & signBit) != 0;
    int magnitude = code & (signBit - 1);
    int exp = magnitude >>> manBits;
    int man = magnitude & ((1 << manBits) - 1);
    int maxExp = (1 << expBits) - 1;
    switch (special) {
      case IEEE -> {
        if (exp == maxExp) {
          return man != 0
              ? Float.NaN
              : negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
      }
      case ALL_ONES_NAN -> {
        if (magnitude == signBit - 1) {
          return Float.NaN;
        }
      }
      case NEGATIVE_ZERO_NAN -> {
        if (code == signBit) {
          return Float.NaN;
        }
      }
      case NONE -> {}
    }
    double v =
        exp == 0
            ? Math.scalb((double) man, 1 - bias - manBits)
            : Math.scalb((double) ((1 << manBits) | man), exp - bias - manBits);
    return (float) (negative ? -v : v);
  }

  /** Largest finite magnitude. */
  private double maxFinite() {
    int maxExp = (1 << expBits) - 1;
    int fullMantissa = (1 << manBits) - 1;
    return switch (special) {
      case IEEE ->
          Math.scalb((double) ((1 << manBits) | fullMantissa), maxExp - 1 - bias - manBits);
      case ALL_ONES_NAN ->
          Math.scalb((double) ((1 << manBits) | (fullMantissa - 1)), maxExp - bias - manBits);
      case NEGATIVE_ZERO_NAN, NONE ->
          Math.scalb((double) ((1 << manBits) | fullMantissa), maxExp - bias - manBits);
    };
  }

  private int nanCode() {
    int signBit = 1 << (expBits + manBits);
    return switch (special) {
      case IEEE, ALL_ONES_NAN -> signBit - 1;
      case NEGATIVE_ZERO_NAN -> signBit;
      case NONE -> throw new IllegalStateException(this + " has no NaN");
    };
  }

  /**
   * Rounds to nearest even. Past the largest finite value: saturate when asked, else infinity for
   * IEEE formats and NaN for the others (PyTorch's rule for float8_e4m3fn).
   */
  int encode(float value, boolean saturate) {
    int signBit = 1 << (expBits + manBits);
    boolean negative = Float.floatToRawIntBits(value) < 0;
    // Formats whose NaN is negative zero have no signed zero or signed NaN to keep.
    int sign = negative && special != Special.NEGATIVE_ZERO_NAN ? signBit : 0;
    if (Float.isNaN(value)) {
      return nanCode() | sign;
    }
    double magnitude = Math.abs((double) value);
    int minNormalExp = 1 - bias;
    double max = maxFinite();
    double rounded;
    if (Double.isInfinite(magnitude)) {
      rounded = magnitude;
    } else {
      int e = Math.max(Math.getExponent(magnitude), minNormalExp);
      double quantum = Math.scalb(1.0, e - manBits);
      rounded = Math.rint(magnitude / quantum) * quantum;
    }
    if (rounded > max) {
      if (saturate) {
        rounded = max;
      } else if (special == Special.IEEE) {
        return sign | (((1 << expBits) - 1) << manBits);
      } else {
        return nanCode() | (special == Special.NEGATIVE_ZERO_NAN ? 0 : sign);
      }
    }
    if (rounded == 0) {
      return sign;
    }
    int e = Math.getExponent(rounded);
    if (e < minNormalExp) {
      return sign | (int) Math.scalb(rounded, bias - 1 + manBits);
    }
    int man = (int) Math.scalb(rounded, manBits - e) - (1 << manBits);
    return sign | ((e + bias) << manBits) | man;
  }
}
