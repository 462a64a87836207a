package dev.quant4j.quantizers.gptq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code gptq} provider. */
public final class GptqMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return GPTQConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return GPTQConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    // bits is required: there is no default config
    return Optional.empty();
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
