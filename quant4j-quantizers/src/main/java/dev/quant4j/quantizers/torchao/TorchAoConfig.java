package dev.quant4j.quantizers.torchao;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code TorchAoConfig}. {@code quant_type} is required, so there is no default
 * config.
 *
 * @param quantType the legacy name or the serialized torchao config
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 * @param includeInputOutputEmbeddings quantize the embeddings too
 * @param untieEmbeddingWeights untie the input and output embeddings first
 */
public record TorchAoConfig(
    TorchAoQuantType quantType,
    List<String> modulesToNotConvert,
    boolean includeInputOutputEmbeddings,
    boolean untieEmbeddingWeights,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "torchao";

  public TorchAoConfig {
    ConfigChecks.require(quantType != null, "quant_type", "required", "a name or config", null);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** A config with only {@code quant_type} set. */
  public static TorchAoConfig of(TorchAoQuantType quantType) {
    return new TorchAoConfig(quantType, null, false, false, Map.of());
  }

  public static TorchAoConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    TorchAoQuantType type = readQuantType(r);
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    boolean embeddings = r.bool("include_input_output_embeddings", false);
    boolean untie = r.bool("untie_embedding_weights", false);
    return r.build(() -> new TorchAoConfig(type, skip, embeddings, untie, r.unknown()));
  }

  private static TorchAoQuantType readQuantType(ConfigReader r) {
    JsonNode node = r.node("quant_type");
    if (node == null) {
      throw r.error("quant_type", "required", "a name or {\"default\": {...}}", "absent or null");
    }
    if (node.isTextual()) {
      ObjectNode kwargs = r.optObject("quant_type_kwargs", null);
      return r.build(() -> new TorchAoQuantType.Named(node.textValue(), kwargs));
    }
    if (!node.isObject() || node.size() != 1 || !node.has("default")) {
      throw r.error(
          "quant_type",
          "must be a name or an object with the single key \"default\"",
          "{\"default\": {...}}",
          node);
    }
    ConfigReader config = r.nested("quant_type").required("default");
    String type = config.optString("_type", null);
    int version = config.integer("_version", 1);
    ObjectNode data = config.optObject("_data", null);
    return r.build(() -> new TorchAoQuantType.AoConfig(type, version, data));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    ConfigDict d = ConfigDict.of(QUANT_METHOD).put("quant_type", quantType.toJson());
    if (quantType instanceof TorchAoQuantType.Named named) {
      d.put("quant_type_kwargs", named.kwargs());
    }
    return d.putStrings("modules_to_not_convert", modulesToNotConvert)
        .put("include_input_output_embeddings", includeInputOutputEmbeddings)
        .put("untie_embedding_weights", untieEmbeddingWeights)
        .unknown(unknownKeys)
        .build();
  }

  /** Against the same {@code quant_type} with every other key at its default. */
  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), of(quantType).toDict(), "quant_type");
  }

  @Override
  public List<String> modulesToNotConvert() {
    return modulesToNotConvert == null ? List.of() : modulesToNotConvert;
  }
}
