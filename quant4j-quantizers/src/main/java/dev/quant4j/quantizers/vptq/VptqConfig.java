package dev.quant4j.quantizers.vptq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * transformers' {@code VptqConfig}: vector post-training quantization, one {@link VptqLayerConfig}
 * per quantized layer.
 *
 * @param enableProxyError must be false (transformers does not support it)
 * @param configForLayers per full module name
 * @param sharedLayerConfig per shared key
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 */
public record VptqConfig(
    boolean enableProxyError,
    Map<String, VptqLayerConfig> configForLayers,
    Map<String, VptqLayerConfig> sharedLayerConfig,
    List<String> modulesToNotConvert,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "vptq";
  public static final VptqConfig DEFAULTS =
      new VptqConfig(false, Map.of(), Map.of(), null, Map.of());

  public VptqConfig {
    ConfigChecks.require(
        !enableProxyError, "enable_proxy_error", "is not supported", false, enableProxyError);
    configForLayers = Map.copyOf(configForLayers);
    sharedLayerConfig = Map.copyOf(sharedLayerConfig);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static VptqConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    boolean proxy = r.bool("enable_proxy_error", false);
    Map<String, VptqLayerConfig> layers = layers(r, "config_for_layers");
    Map<String, VptqLayerConfig> shared = layers(r, "shared_layer_config");
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    return r.build(() -> new VptqConfig(proxy, layers, shared, skip, r.unknown()));
  }

  private static Map<String, VptqLayerConfig> layers(ConfigReader r, String key) {
    ObjectNode node = r.optObject(key, null);
    Map<String, VptqLayerConfig> out = new LinkedHashMap<>();
    if (node != null) {
      ConfigReader layers = r.nested(key, node);
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        out.put(e.getKey(), VptqLayerConfig.read(layers.required(e.getKey())));
      }
    }
    return out;
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("enable_proxy_error", enableProxyError)
        .put("config_for_layers", write(configForLayers))
        .put("shared_layer_config", write(sharedLayerConfig))
        .putStrings("modules_to_not_convert", modulesToNotConvert)
        .unknown(unknownKeys)
        .build();
  }

  private static ObjectNode write(Map<String, VptqLayerConfig> layers) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(layers).forEach((name, layer) -> node.set(name, layer.toDict()));
    return node;
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return modulesToNotConvert == null ? List.of() : modulesToNotConvert;
  }
}
