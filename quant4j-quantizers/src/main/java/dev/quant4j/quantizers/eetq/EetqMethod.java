package dev.quant4j.quantizers.eetq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code eetq} provider. */
public final class EetqMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return EetqConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return EetqConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(EetqConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new EetqQuantizer((EetqConfig) config);
  }
}
