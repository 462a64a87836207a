package dev.quant4j.dtype;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every element type of the safetensors format, with its width in bits. Names are the format's own
 * spelling and are case-sensitive, as the reference implementation treats them.
 */
public enum DType {
  BOOL("BOOL", 8, Kind.BOOL),
  F4("F4", 4, Kind.FLOAT),
  F6_E2M3("F6_E2M3", 6, Kind.FLOAT),
  F6_E3M2("F6_E3M2", 6, Kind.FLOAT),
  U8("U8", 8, Kind.UNSIGNED),
  I8("I8", 8, Kind.SIGNED),
  F8_E5M2("F8_E5M2", 8, Kind.FLOAT),
  F8_E4M3("F8_E4M3", 8, Kind.FLOAT),
  F8_E8M0("F8_E8M0", 8, Kind.FLOAT),
  F8_E4M3FNUZ("F8_E4M3FNUZ", 8, Kind.FLOAT),
  F8_E5M2FNUZ("F8_E5M2FNUZ", 8, Kind.FLOAT),
  I16("I16", 16, Kind.SIGNED),
  U16("U16", 16, Kind.UNSIGNED),
  F16("F16", 16, Kind.FLOAT),
  BF16("BF16", 16, Kind.FLOAT),
  I32("I32", 32, Kind.SIGNED),
  U32("U32", 32, Kind.UNSIGNED),
  F32("F32", 32, Kind.FLOAT),
  C64("C64", 64, Kind.COMPLEX),
  F64("F64", 64, Kind.FLOAT),
  I64("I64", 64, Kind.SIGNED),
  U64("U64", 64, Kind.UNSIGNED);

  private enum Kind {
    BOOL,
    SIGNED,
    UNSIGNED,
    FLOAT,
    COMPLEX
  }

  private static final Map<String, DType> BY_NAME =
      Stream.of(values())
          .collect(Collectors.toUnmodifiableMap(DType::safetensorsName, Function.identity()));

  private final String safetensorsName;
  private final int bits;
  private final Kind kind;

  DType(String safetensorsName, int bits, Kind kind) {
    this.safetensorsName = safetensorsName;
    this.bits = bits;
    this.kind = kind;
  }

  /** Width of one element in bits: 4 and 6 for the sub-byte float types, else a multiple of 8. */
  public int bits() {
    return bits;
  }

  /** The spelling used in safetensors headers. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The dtype of a header name, case-sensitive; empty for names the format does not define. */
  public static Optional<DType> fromSafetensorsName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** True for the real floating-point types (not {@link #C64}, whose elements are pairs). */
  public boolean isFloatingPoint() {
    return kind == Kind.FLOAT;
  }

  /** True for the signed and unsigned integer types (not {@link #BOOL}). */
  public boolean isInteger() {
    return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
  }

  /** True when elements are narrower than a byte, so several share one byte. */
  public boolean isSubByte() {
    return bits < 8;
  }

  /**
   * Bits taken by {@code numel} elements.
   *
   * @throws ArithmeticException when the count overflows a long (a hostile shape)
   */
  public long bitSize(long numel) {
    return Math.multiplyExact(numel, (long) bits);
  }

  /**
   * Bytes taken by {@code numel} elements.
   *
   * @throws ArithmeticException when the count overflows a long or, for the sub-byte types, does
   *     not fill whole bytes
   */
  public long byteSize(long numel) {
    long totalBits = bitSize(numel);
    if ((totalBits & 7) != 0) {
      throw new ArithmeticException(
          numel
              + " elements of "
              + safetensorsName
              + " take "
              + totalBits
              + " bits, not whole bytes");
    }
    return totalBits >>> 3;
  }
}
