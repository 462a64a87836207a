package dev.quant4j.quantizers.bitnet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code bitnet} provider. */
public final class BitNetMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return BitNetConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return BitNetConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(BitNetConfig.DEFAULTS);
  }

  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new BitNetQuantizer((BitNetConfig) config);
  }
}
