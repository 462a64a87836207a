package dev.quant4j.quantizers.torchao;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code torchao} provider. */
public final class TorchAoMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return TorchAoConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return TorchAoConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    // quant_type is required: there is no default config
    return Optional.empty();
  }

  @Override
  public Support support() {
    // int4 weight-only (plain layout), int8 weight-only and int8 dynamic activations; other
    // torchao configs fail with "not supported yet" when a quantizer is made for them
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new TorchAoQuantizer((TorchAoConfig) config);
  }
}
