package dev.quant4j.quantizers.bnb;

import dev.quant4j.error.NotSupportedException;

/**
 * How to quantize a weight to 4 bits: the data type, the block size (64 in transformers, which does
 * not expose it), double quantization of the absmax and the storage element type.
 */
public record Bnb4bitSettings(
    Bnb4bitType type, int blocksize, boolean doubleQuant, QuantStorage storage) {

  /** The block size transformers' {@code Params4bit} always uses. */
  public static final int DEFAULT_BLOCKSIZE = 64;

  public Bnb4bitSettings {
    if (!QuantState.BLOCKSIZES.contains(blocksize)) {
      throw new NotSupportedException(
          "4-bit block size " + blocksize + " (allowed: 32..4096, powers of two)");
    }
  }

  /** Block size 64, uint8 storage: what {@code BitsAndBytesConfig(load_in_4bit=True, ...)} does. */
  public static Bnb4bitSettings of(Bnb4bitType type, boolean doubleQuant) {
    return new Bnb4bitSettings(type, DEFAULT_BLOCKSIZE, doubleQuant, QuantStorage.UINT8);
  }
}
