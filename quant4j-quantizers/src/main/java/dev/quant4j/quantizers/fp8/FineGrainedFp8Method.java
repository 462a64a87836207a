package dev.quant4j.quantizers.fp8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code fp8} provider. */
public final class FineGrainedFp8Method implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return FineGrainedFp8Config.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return FineGrainedFp8Config.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(FineGrainedFp8Config.DEFAULTS);
  }

  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new FineGrainedFp8Quantizer((FineGrainedFp8Config) config);
  }
}
