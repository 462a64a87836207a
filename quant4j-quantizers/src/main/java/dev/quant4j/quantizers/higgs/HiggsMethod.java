package dev.quant4j.quantizers.higgs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code higgs} provider. */
public final class HiggsMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return HiggsConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return HiggsConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(HiggsConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
