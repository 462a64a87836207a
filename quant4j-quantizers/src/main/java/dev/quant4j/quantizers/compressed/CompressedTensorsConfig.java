package dev.quant4j.quantizers.compressed;

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
 * transformers' {@code CompressedTensorsConfig} (llm-compressor checkpoints). Written as
 * compressed-tensors' {@code model_dump()} plus {@code sparsity_config}, which is what checkpoints
 * hold; transformers' load-time flags ({@code run_compressed}, {@code dequantize}, {@code
 * use_optimized_inference}) are read but, as in transformers, not written. Unlike transformers,
 * which writes only {@code quant_method} and {@code sparsity_config} for a config without groups,
 * every key is always written.
 *
 * @param configGroups schemes by group name
 * @param format the compression format of the stored tensors
 * @param quantizationStatus initialized, calibration, frozen, compressed or decompressed
 * @param kvCacheScheme KV cache quantization, or null
 * @param globalCompressionRatio informational, or null
 * @param ignore module names or {@code re:} patterns never quantized
 * @param sparsityConfig the sparsity compressor's config (kept as given; {} when none)
 * @param dequantize load as full precision ({@code dequantize: true} or {@code run_compressed:
 *     false}); not written
 */
public record CompressedTensorsConfig(
    Map<String, QuantizationScheme> configGroups,
    String format,
    String quantizationStatus,
    QuantizationArgs kvCacheScheme,
    Double globalCompressionRatio,
    List<String> ignore,
    ObjectNode sparsityConfig,
    boolean dequantize,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "compressed-tensors";
  public static final List<String> FORMATS =
      List.of(
          "dense",
          "fakequant",
          "naive-quantized",
          "int-quantized",
          "float-quantized",
          "pack-quantized",
          "nvfp4-pack-quantized",
          "mxfp4-pack-quantized",
          "mxfp8-quantized",
          "sparse-bitmask",
          "sparse-24-bitmask",
          "marlin-24",
          "mixed-precision");
  public static final List<String> STATUSES =
      List.of("initialized", "calibration", "frozen", "compressed", "decompressed");
  public static final CompressedTensorsConfig DEFAULTS =
      new CompressedTensorsConfig(
          Map.of(), "dense", "initialized", null, null, List.of(), null, false, Map.of());

  public CompressedTensorsConfig {
    ConfigChecks.oneOf("format", "unknown compression format", format, FORMATS);
    ConfigChecks.oneOf(
        "quantization_status", "unknown quantization status", quantizationStatus, STATUSES);
    configGroups = Map.copyOf(configGroups);
    ignore = ignore == null ? List.of() : List.copyOf(ignore);
    sparsityConfig =
        sparsityConfig == null ? JsonNodeFactory.instance.objectNode() : sparsityConfig.deepCopy();
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static CompressedTensorsConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    Map<String, QuantizationScheme> groups = new LinkedHashMap<>();
    ConfigReader g = r.nested("config_groups");
    if (g != null) {
      for (Map.Entry<String, JsonNode> e : dict.get("config_groups").properties()) {
        groups.put(e.getKey(), QuantizationScheme.read(g, e.getKey(), e.getValue()));
      }
    }
    String format = r.optString("format", "dense");
    String status = r.optString("quantization_status", "initialized");
    QuantizationArgs kv = QuantizationScheme.args(r, "kv_cache_scheme");
    Double ratio = r.optNumber("global_compression_ratio", null);
    List<String> ignore = r.optStrings("ignore", List.of());
    ObjectNode sparsity = r.optObject("sparsity_config", null);
    boolean runCompressed = r.bool("run_compressed", true);
    boolean dequantize = r.bool("dequantize", false) || !runCompressed;
    r.ignore("use_optimized_inference");
    return r.build(
        () ->
            new CompressedTensorsConfig(
                groups, format, status, kv, ratio, ignore, sparsity, dequantize, r.unknown()));
  }

  /** A copy: the record's node must stay unchanged. */
  @Override
  public ObjectNode sparsityConfig() {
    return sparsityConfig.deepCopy();
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    ObjectNode groups = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(configGroups).forEach((name, scheme) -> groups.set(name, scheme.toJson()));
    return ConfigDict.of(QUANT_METHOD)
        .put("config_groups", groups)
        .put("format", format)
        .put("quantization_status", quantizationStatus)
        .put("kv_cache_scheme", kvCacheScheme == null ? null : kvCacheScheme.toDict())
        .put("global_compression_ratio", globalCompressionRatio)
        .putStrings("ignore", ignore)
        .put("sparsity_config", sparsityConfig)
        .unknown(unknownKeys)
        .build();
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return ignore;
  }
}
