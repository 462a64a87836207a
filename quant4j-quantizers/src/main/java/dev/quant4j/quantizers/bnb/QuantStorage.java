package dev.quant4j.quantizers.bnb;

import dev.quant4j.dtype.DType;
import java.util.Optional;

/**
 * The element type the packed 4-bit bytes are stored as ({@code bnb_4bit_quant_storage}). Anything
 * but uint8 only reinterprets the same little-endian bytes, e.g. for FSDP.
 */
public enum QuantStorage {
  UINT8("uint8", DType.U8),
  INT8("int8", DType.I8),
  FLOAT16("float16", DType.F16),
  BFLOAT16("bfloat16", DType.BF16),
  FLOAT32("float32", DType.F32),
  FLOAT64("float64", DType.F64);

  private final String torchName;
  private final DType dtype;

  QuantStorage(String torchName, DType dtype) {
    this.torchName = torchName;
    this.dtype = dtype;
  }

  public String torchName() {
    return torchName;
  }

  public DType dtype() {
    return dtype;
  }

  public int itemBytes() {
    return dtype.bits() / 8;
  }

  public static Optional<QuantStorage> of(DType dtype) {
    for (QuantStorage s : values()) {
      if (s.dtype == dtype) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  public static Optional<QuantStorage> fromTorchName(String name) {
    for (QuantStorage s : values()) {
      if (s.torchName.equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
