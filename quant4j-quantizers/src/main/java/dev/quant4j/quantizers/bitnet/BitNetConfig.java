package dev.quant4j.quantizers.bitnet;

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
 * transformers' {@code BitNetQuantConfig}: ternary (1.58-bit) weights.
 *
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 * @param linearClass bitlinear or autobitlinear (they give {@code weight_scale} opposite meanings)
 * @param quantizationMode offline (packed checkpoint) or online (fake-quantized in forward)
 * @param useRmsNorm whether each layer has an input RMSNorm
 * @param rmsNormEps that norm's epsilon
 */
public record BitNetConfig(
    List<String> modulesToNotConvert,
    String linearClass,
    String quantizationMode,
    boolean useRmsNorm,
    double rmsNormEps,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "bitnet";
  public static final BitNetConfig DEFAULTS =
      new BitNetConfig(null, "bitlinear", "offline", false, 1e-6, Map.of());

  public BitNetConfig {
    ConfigChecks.oneOf(
        "linear_class", "unknown linear class", linearClass, List.of("bitlinear", "autobitlinear"));
    ConfigChecks.oneOf(
        "quantization_mode",
        "unknown quantization mode",
        quantizationMode,
        List.of("online", "offline"));
    ConfigChecks.require(
        rmsNormEps > 0 && Double.isFinite(rmsNormEps),
        "rms_norm_eps",
        "must be a positive number",
        "> 0",
        rmsNormEps);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static BitNetConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    String linearClass = r.optString("linear_class", "bitlinear");
    String mode = r.optString("quantization_mode", "offline");
    boolean norm = r.bool("use_rms_norm", false);
    double eps = r.number("rms_norm_eps", 1e-6);
    return r.build(() -> new BitNetConfig(skip, linearClass, mode, norm, eps, r.unknown()));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .putStrings("modules_to_not_convert", modulesToNotConvert)
        .put("linear_class", linearClass)
        .put("quantization_mode", quantizationMode)
        .put("use_rms_norm", useRmsNorm)
        .put("rms_norm_eps", (Double) rmsNormEps)
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
