package dev.quant4j.quantizers.awq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code awq} provider. */
public final class AwqMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return AwqConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return AwqConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(AwqConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
