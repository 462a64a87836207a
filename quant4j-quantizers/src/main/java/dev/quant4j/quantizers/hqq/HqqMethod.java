package dev.quant4j.quantizers.hqq;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
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

  /**
   * Quantize on load, load and save, for axis 1 with group sizes dividing in_features and 1, 2, 3,
   * 4 or 8 bits; axis 0, {@code channel_wise=false} and meta-quantized scales fail "not supported
   * yet".
   */
  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new HqqQuantizer((HqqConfig) config, TorchSum.AVX2);
  }
}
