package dev.quant4j.quantizers.vptq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code vptq} provider. */
public final class VptqMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return VptqConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return VptqConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(VptqConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
