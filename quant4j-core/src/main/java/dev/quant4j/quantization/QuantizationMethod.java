package dev.quant4j.quantization;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A quantization method provider, found with {@link java.util.ServiceLoader} under {@code
 * META-INF/services/dev.quant4j.quantization.QuantizationMethod}: adding a method means adding a
 * provider, never editing the registry.
 */
public interface QuantizationMethod {
  /** The {@code quant_method} string this provider answers to. */
  String quantMethod();

  /**
   * Reads and validates a {@code quantization_config} dict of this method.
   *
   * @param fileForErrors the file the dict came from, named in errors (may be null)
   * @throws dev.quant4j.error.ConfigException naming the key when a value is invalid
   */
  QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict);

  /**
   * The config with every key at its default, or empty when the method has a required key (GPTQ's
   * {@code bits}, TorchAO's {@code quant_type}) and so no default config.
   */
  Optional<QuantizationConfig> defaults();

  /**
   * For methods whose pre-quantized checkpoints carry no {@code quantization_config} in config.json
   * but files of their own (optimum-quanto's {@code quanto_qmap.json}): the config the folder
   * {@code dir} was quantized with, or empty when it is not such a folder. The loader asks only
   * when config.json has no {@code quantization_config}; at most one method may answer.
   *
   * @throws dev.quant4j.error.ConfigException when the method's own file is there but invalid
   */
  default Optional<QuantizationConfig> detectPrequantized(Path dir) {
    return Optional.empty();
  }

  /** What quant4j implements of this method beyond its config. */
  Support support();

  /**
   * A quantizer applying {@code config} to one load. Methods whose algorithms are not implemented
   * yet keep this default, which fails with a clear "not supported yet" instead of wrong numbers.
   */
  default Quantizer newQuantizer(QuantizationConfig config) {
    throw new dev.quant4j.error.NotSupportedException(
        "quantization method '" + quantMethod() + "'");
  }
}
