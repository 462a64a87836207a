package dev.quant4j.quantization;

/**
 * What quant4j can do with a method today; the config side of a method exists before its
 * algorithms, so every flag may be false.
 *
 * @param quantizeOnLoad quantizes full-precision weights while loading
 * @param loadPrequantized reads checkpoints already quantized with the method
 * @param save writes checkpoints that transformers loads
 */
public record Support(boolean quantizeOnLoad, boolean loadPrequantized, boolean save) {
  /** Nothing implemented yet: the config parses and validates, nothing more. */
  public static final Support CONFIG_ONLY = new Support(false, false, false);

  /** Whether any operation beyond parsing the config is available. */
  public boolean any() {
    return quantizeOnLoad || loadPrequantized || save;
  }
}
