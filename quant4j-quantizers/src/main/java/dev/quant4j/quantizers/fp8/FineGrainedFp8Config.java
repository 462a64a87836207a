package dev.quant4j.quantizers.fp8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * transformers' {@code FineGrainedFP8Config} (DeepSeek-V3 style): FP8 E4M3 weights with one scale
 * per block.
 *
 * @param activationScheme dynamic or static
 * @param weightBlockSize [rows, cols] of a scale block, or null for one scale per tensor
 * @param dequantize load as full precision instead
 * @param modulesToNotConvert modules left in full precision; null for the defaults (the Hub alias
 *     {@code ignored_layers} is read too)
 * @param modulesToConvert embeddings to load as FP8 as well
 * @param scaleFmt float (fp32 scales) or ue8m0 (powers of two)
 */
public record FineGrainedFp8Config(
    String activationScheme,
    List<Integer> weightBlockSize,
    boolean dequantize,
    List<String> modulesToNotConvert,
    List<String> modulesToConvert,
    String scaleFmt,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "fp8";
  public static final FineGrainedFp8Config DEFAULTS =
      new FineGrainedFp8Config("dynamic", List.of(128, 128), false, null, null, "float", Map.of());

  public FineGrainedFp8Config {
    ConfigChecks.oneOf(
        "activation_scheme",
        "unknown activation scheme",
        activationScheme,
        List.of("dynamic", "static"));
    if (weightBlockSize != null) {
      ConfigChecks.require(
          weightBlockSize.size() == 2 && weightBlockSize.stream().allMatch(v -> v > 0),
          "weight_block_size",
          "must be two positive integers",
          "[rows, cols] > 0",
          weightBlockSize);
    }
    ConfigChecks.oneOf("scale_fmt", "unknown scale format", scaleFmt, List.of("float", "ue8m0"));
    weightBlockSize = ConfigChecks.copyOrNull(weightBlockSize);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    modulesToConvert = ConfigChecks.copyOrNull(modulesToConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static FineGrainedFp8Config fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    String scheme = r.optString("activation_scheme", "dynamic");
    List<Integer> block = r.optInts("weight_block_size", List.of(128, 128));
    boolean dequantize = r.bool("dequantize", false);
    List<String> skip =
        r.has("modules_to_not_convert") || !r.has("ignored_layers")
            ? r.optStrings("modules_to_not_convert", null)
            : r.optStrings("ignored_layers", null);
    List<String> convert = r.optStrings("modules_to_convert", null);
    String scaleFmt = r.optString("scale_fmt", "float");
    return r.build(
        () ->
            new FineGrainedFp8Config(
                scheme == null ? null : scheme.toLowerCase(Locale.ROOT),
                block,
                dequantize,
                skip,
                convert,
                scaleFmt,
                r.unknown()));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("activation_scheme", activationScheme)
        .putInts("weight_block_size", weightBlockSize)
        .put("dequantize", dequantize)
        .putStrings("modules_to_not_convert", modulesToNotConvert)
        .putStrings("modules_to_convert", modulesToConvert)
        .put("scale_fmt", scaleFmt)
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
