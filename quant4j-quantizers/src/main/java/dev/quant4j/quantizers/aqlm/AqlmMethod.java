package dev.quant4j.quantizers.aqlm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code aqlm} provider. */
public final class AqlmMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return AqlmConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return AqlmConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(AqlmConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
