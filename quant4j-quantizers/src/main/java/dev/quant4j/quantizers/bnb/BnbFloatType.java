package dev.quant4j.quantizers.bnb;

import java.util.Optional;

/**
 * The floating-point types a bitsandbytes weight is quantized from and dequantized to, with torch's
 * names as the quant_state JSON spells them ({@code "dtype": "bfloat16"}).
 */
public enum BnbFloatType {
  FLOAT32("float32"),
  FLOAT16("float16"),
  BFLOAT16("bfloat16");

  private final String torchName;

  BnbFloatType(String torchName) {
    this.torchName = torchName;
  }

  /** The name without {@code torch.}, as bitsandbytes writes it. */
  public String torchName() {
    return torchName;
  }

  public static Optional<BnbFloatType> fromTorchName(String name) {
    for (BnbFloatType t : values()) {
      if (t.torchName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** Rounds a float32 to this type (round to nearest even) and back, as a torch cast does. */
  public float round(float value) {
    return switch (this) {
      case FLOAT32 -> value;
      case FLOAT16 -> Float.float16ToFloat(Float.floatToFloat16(value));
      case BFLOAT16 -> bf16Round(value);
    };
  }

  private static float bf16Round(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return value;
    }
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(rounded & 0xFFFF0000);
  }
}
