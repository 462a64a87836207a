package dev.quant4j.quantizers.bnb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code bitsandbytes} provider. */
public final class BitsAndBytesMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return BitsAndBytesConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return BitsAndBytesConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(BitsAndBytesConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new BitsAndBytesQuantizer((BitsAndBytesConfig) config);
  }
}
