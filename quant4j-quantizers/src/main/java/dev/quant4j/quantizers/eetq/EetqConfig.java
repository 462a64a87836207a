package dev.quant4j.quantizers.eetq;

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
 * transformers' {@code EetqConfig}: int8 weight-only, per output channel.
 *
 * @param weights int8, the only type EETQ has
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 */
public record EetqConfig(
    String weights, List<String> modulesToNotConvert, Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "eetq";
  public static final EetqConfig DEFAULTS = new EetqConfig("int8", null, Map.of());

  public EetqConfig {
    ConfigChecks.oneOf("weights", "unsupported weight type", weights, List.of("int8"));
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static EetqConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    String weights = r.optString("weights", "int8");
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    return r.build(() -> new EetqConfig(weights, skip, r.unknown()));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("weights", weights)
        .putStrings("modules_to_not_convert", modulesToNotConvert)
        .unknown(unknownKeys)
        .build();
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
