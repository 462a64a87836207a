package dev.quant4j.quantizers.bnb;

import java.util.Optional;

/** The two 4-bit data types of bitsandbytes, with their tables and serialized names. */
public enum Bnb4bitType {
  NF4("nf4", BnbCodebooks.NF4),
  FP4("fp4", BnbCodebooks.FP4);

  private final String jsonName;
  private final Codebook codebook;
  private final FourBitEncoder encoder;

  Bnb4bitType(String jsonName, Codebook codebook) {
    this.jsonName = jsonName;
    this.codebook = codebook;
    this.encoder = new FourBitEncoder(codebook);
  }

  /** {@code "nf4"} or {@code "fp4"}, the {@code quant_type} of the quant_state JSON. */
  public String jsonName() {
    return jsonName;
  }

  public Codebook codebook() {
    return codebook;
  }

  /** The suffix of the packed quant_state tensor: {@code weight.quant_state.bitsandbytes__nf4}. */
  public String quantStateSuffix() {
    return "quant_state.bitsandbytes__" + jsonName;
  }

  FourBitEncoder encoder() {
    return encoder;
  }

  public static Optional<Bnb4bitType> fromJsonName(String name) {
    for (Bnb4bitType t : values()) {
      if (t.jsonName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
