package dev.quant4j.quantizers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;

/**
 * A named {@code quantization_config}.
 *
 * @param name the name users type ({@code bnb-nf4})
 * @param config the validated config it stands for
 */
public record Preset(String name, QuantizationConfig config) {
  /** The config as a {@code config.json} holds it, every default filled. */
  public ObjectNode toDict() {
    return config.toDict();
  }
}
