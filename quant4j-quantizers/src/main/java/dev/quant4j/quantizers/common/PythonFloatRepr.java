package dev.quant4j.quantizers.common;

import java.math.BigDecimal;

/**
 * Formats a double exactly as Python's {@code repr(float)} (and so {@code json.dumps}) does, which
 * byte-identical JSON blobs written by Python tools need: shortest round-trip digits, plain
 * notation when the decimal exponent is in [-4, 16), else {@code 1e-05} / {@code 1.5e+16} style.
 */
public final class PythonFloatRepr {
  private PythonFloatRepr() {}

  /** The text Python prints for {@code value} ({@code NaN}/{@code Infinity} as json.dumps does). */
  public static String repr(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0.0) {
      return Double.doubleToRawLongBits(value) == 0L ? "0.0" : "-0.0";
    }
    // Double.toString gives the shortest digits that round-trip (JDK 19+), as repr does; only the
    // layout differs, so re-lay the digits out.
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
    String digits = exact.unscaledValue().toString();
    int exponent = digits.length() - 1 - exact.scale();
    StringBuilder sb = new StringBuilder(digits.length() + 8);
    if (value < 0) {
      sb.append('-');
    }
    if (exponent >= -4 && exponent < 16) {
      appendPlain(sb, digits, exponent);
    } else {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exponent < 0 ? '-' : '+');
      int abs = Math.abs(exponent);
      if (abs < 10) {
        sb.append('0');
      }
      sb.append(abs);
    }
    return sb.toString();
  }

  private static void appendPlain(StringBuilder sb, String digits, int exponent) {
    if (exponent < 0) {
      sb.append("0.");
      sb.repeat('0', -exponent - 1);
      sb.append(digits);
      return;
    }
    int integerDigits = exponent + 1;
    if (digits.length() <= integerDigits) {
      sb.append(digits);
      sb.repeat('0', integerDigits - digits.length());
      sb.append(".0");
    } else {
      sb.append(digits, 0, integerDigits)
          .append('.')
          .append(digits, integerDigits, digits.length());
    }
  }
}
