package dev.quant4j.quantizers.fp8;

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
 * transformers' {@code FbgemmFp8Config}: FP8 E4M3 weights with one scale per output row, and
 * activations quantized per token at run time.
 *
 * @param activationScaleUb upper bound on an activation row's absolute maximum
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 */
public record FbgemmFp8Config(
    double activationScaleUb, List<String> modulesToNotConvert, Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "fbgemm_fp8";
  public static final FbgemmFp8Config DEFAULTS = new FbgemmFp8Config(1200.0, null, Map.of());

  public FbgemmFp8Config {
    ConfigChecks.require(
        activationScaleUb > 0 && Double.isFinite(activationScaleUb),
        "activation_scale_ub",
        "must be a positive number",
        "> 0",
        activationScaleUb);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static FbgemmFp8Config fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    double ub = r.number("activation_scale_ub", 1200.0);
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    return r.build(() -> new FbgemmFp8Config(ub, skip, r.unknown()));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("activation_scale_ub", (Double) activationScaleUb)
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
