package dev.quant4j.quantizers.hqq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code hqq} provider. */
public final class HqqMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return HqqConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return HqqConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(HqqConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
