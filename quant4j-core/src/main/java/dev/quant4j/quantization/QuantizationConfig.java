package dev.quant4j.quantization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A validated, immutable {@code quantization_config}: the typed counterpart of one transformers
 * {@code QuantizationConfigMixin} subclass. Implementations are values; the dicts they return are
 * fresh copies the caller may change.
 */
public interface QuantizationConfig {
  /** The {@code quant_method} string that selects this config's method. */
  String quantMethod();

  /**
   * Every key with its value, defaults filled, keys sorted, as transformers' {@code to_dict()}
   * writes it into a {@code config.json}; unknown keys read from the file are written back.
   */
  ObjectNode toDict();

  /** Only the keys whose value differs from the method's defaults, plus {@code quant_method}. */
  ObjectNode toDiffDict();

  /** Keys of the source dict this config does not know, kept so that saving loses nothing. */
  Map<String, JsonNode> unknownKeys();

  /**
   * The modules the method leaves unquantized, as the config names them ({@code
   * modules_to_not_convert}, {@code llm_int8_skip_modules}, {@code skip_modules}, {@code ignore},
   * {@code linear_weights_not_to_quantize}); empty when the method has no such key or it is null.
   */
  List<String> modulesToNotConvert();

  /**
   * Whether saving writes this config into config.json as {@code quantization_config}; false for
   * methods whose checkpoints say it in files of their own ({@link #sidecarFiles}).
   */
  default boolean savedInConfigJson() {
    return true;
  }

  /**
   * Files the method writes beside the safetensors when a model quantized with this config is saved
   * (optimum-quanto's {@code quanto_qmap.json}), by file name; the saver writes them into its
   * staging folder, so they appear atomically with the weights.
   *
   * @param weights the model's quantized weights by parameter name ({@code ...q_proj.weight})
   */
  default Map<String, byte[]> sidecarFiles(Map<String, QuantizedWeight> weights) {
    return Map.of();
  }
}
