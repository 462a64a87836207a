package dev.quant4j.quantizers.quanto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * transformers' {@code QuantoConfig}: optimum-quanto weight and static activation quantization
 * (transformers itself refuses {@code activations}; quant4j runs them as optimum-quanto's {@code
 * quantize(model, weights, activations)} without calibration: scales 1.0).
 *
 * <p>optimum-quanto's own checkpoints have no {@code quantization_config}: a {@code
 * quanto_qmap.json} beside the weights names each quantized module and its qtypes. A config read
 * from such a folder carries that map ({@link #qmap}); it is not part of the dict, and saving a
 * quanto model writes a {@code quanto_qmap.json} instead of a {@code quantization_config}.
 *
 * @param weights float8, int8, int4 or int2
 * @param activations null, int8 or float8 (qint8 / qfloat8_e4m3fn; transformers refuses non-null)
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 * @param qmap the modules of a pre-quantized quanto folder with their qtypes; null otherwise
 */
public record QuantoConfig(
    String weights,
    String activations,
    List<String> modulesToNotConvert,
    Map<String, JsonNode> unknownKeys,
    Map<String, QuantoQmap.Entry> qmap)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "quanto";
  public static final List<String> WEIGHTS = List.of("float8", "int8", "int4", "int2");
  public static final List<String> ACTIVATIONS = List.of("int8", "float8");
  public static final QuantoConfig DEFAULTS = new QuantoConfig("int8", null, null, Map.of());

  public QuantoConfig {
    ConfigChecks.oneOf("weights", "unknown weight type", weights, WEIGHTS);
    if (activations != null) {
      ConfigChecks.oneOf("activations", "unknown activation type", activations, ACTIVATIONS);
    }
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
    qmap =
        qmap == null
            ? null
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(qmap));
  }

  /** A config as transformers' {@code QuantoConfig} holds it (no qmap). */
  public QuantoConfig(
      String weights,
      String activations,
      List<String> modulesToNotConvert,
      Map<String, JsonNode> unknownKeys) {
    this(weights, activations, modulesToNotConvert, unknownKeys, null);
  }

  /** Weights only, the only mode transformers itself runs. */
  public static QuantoConfig weights(String weights) {
    return new QuantoConfig(weights, null, null, Map.of());
  }

  public static QuantoConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    String weights = r.optString("weights", "int8");
    String activations = r.optString("activations", null);
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    return r.build(() -> new QuantoConfig(weights, activations, skip, r.unknown()));
  }

  /** The map of a pre-quantized quanto folder, empty for a config to quantize with. */
  public Optional<Map<String, QuantoQmap.Entry>> qmapIfPrequantized() {
    return Optional.ofNullable(qmap);
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("weights", weights)
        .put("activations", activations)
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

  /** optimum-quanto keeps its quantization in {@code quanto_qmap.json}, not in config.json. */
  @Override
  public boolean savedInConfigJson() {
    return false;
  }

  @Override
  public Map<String, byte[]> sidecarFiles(Map<String, QuantizedWeight> quantized) {
    return Map.of(QuantoQmap.FILE_NAME, QuantoQmap.write(quantized));
  }
}
