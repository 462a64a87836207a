package dev.quant4j.quantizers.fp8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code fbgemm_fp8} provider. */
public final class FbgemmFp8Method implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return FbgemmFp8Config.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return FbgemmFp8Config.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(FbgemmFp8Config.DEFAULTS);
  }

  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new FbgemmFp8Quantizer((FbgemmFp8Config) config);
  }
}
