package dev.quant4j.quantizers.compressed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The compression format of each scheme, as compressed-tensors picks it: the scheme's own {@code
 * format}, else the config's when it names one, else inferred by {@code infer_module_format}'s
 * priority (mxfp4-pack-quantized for fp4 weights in groups of 32, nvfp4-pack-quantized in groups of
 * 16, pack-quantized for int weights of 4 or 8 bits without input activations, int-quantized or
 * float-quantized when input activations are quantized, else naive-quantized). Also checks that
 * quant4j implements each scheme, failing with "not supported yet" naming what it does not.
 */
final class SchemeFormats {
  /** Config-level values that name no single format. */
  private static final List<String> UNSPECIFIC = List.of("dense", "fakequant", "mixed-precision");

  private SchemeFormats() {}

  /** The format of {@code scheme} under a config-level {@code format}. */
  static String of(String configFormat, QuantizationScheme scheme) {
    JsonNode own = scheme.unknownKeys().get("format");
    if (own != null && own.isTextual()) {
      return own.textValue();
    }
    if (!UNSPECIFIC.contains(configFormat)) {
      return configFormat;
    }
    QuantizationArgs w = scheme.weights();
    QuantizationArgs in = scheme.inputActivations();
    if (w == null) {
      return "dense";
    }
    if (Fp4Scheme.isFp4(w) && Fp4Scheme.infer(w) != null) {
      return Fp4Scheme.infer(w);
    }
    boolean isInt = w.type().equals("int");
    if (isInt && in == null && (w.numBits() == 4 || w.numBits() == 8)) {
      return PackQuantized.FORMAT;
    }
    if (in != null) {
      return isInt ? "int-quantized" : "float-quantized";
    }
    return "naive-quantized";
  }

  /** Fails unless quant4j can run the group: its weights, activations and format. */
  static void check(CompressedTensorsConfig config, String group, QuantizationScheme s) {
    String where = "config_groups." + group;
    if (s.preset() != null) {
      throw new NotSupportedException(
          "compressed-tensors preset scheme '" + s.preset() + "' given by name (" + where + ")");
    }
    if (s.outputActivations() != null) {
      throw new NotSupportedException(
          "compressed-tensors output activation quantization (" + where + ")");
    }
    QuantizationArgs w = s.weights();
    if (Fp4Scheme.isFp4(w)) {
      Fp4Scheme.check(where, w, s.inputActivations(), of(config.format(), s));
      return;
    }
    InputActivations.check(null, s.inputActivations(), where + ".input_activations");
    if (w == null) {
      return;
    }
    boolean isFloat = w.type().equals("float");
    if (isFloat && w.numBits() != 8) {
      throw new NotSupportedException(
          "compressed-tensors float" + w.numBits() + " weights (" + where + ".weights)");
    }
    if (isFloat && !w.symmetric()) {
      throw new NotSupportedException(
          "compressed-tensors asymmetric fp8 weights (" + where + ".weights)");
    }
    if (!isFloat && w.numBits() > 8) {
      throw new NotSupportedException(
          "compressed-tensors int" + w.numBits() + " weights (" + where + ".weights)");
    }
    if (!ScaleGrid.WEIGHT_STRATEGIES.contains(w.strategy())) {
      throw new NotSupportedException(
          "compressed-tensors weight strategy '" + w.strategy() + "' (" + where + ".weights)");
    }
    JsonNode scaleDtype = w.unknownKeys().get("scale_dtype");
    if (scaleDtype != null && !scaleDtype.isNull()) {
      throw new NotSupportedException(
          "compressed-tensors scale_dtype " + scaleDtype + " (" + where + ".weights)");
    }
    String format = of(config.format(), s);
    if (format.equals(PackQuantized.FORMAT)) {
      if (isFloat) {
        throw new ConfigException(
            null, where + ".weights.type", "pack-quantized stores int weights", "int", "float");
      }
    } else if (!NaiveQuantized.FORMATS.contains(format)) {
      throw new NotSupportedException("compressed-tensors format '" + format + "' (" + where + ")");
    }
  }

  /**
   * The config as quant4j saves what it quantized: status {@code compressed}, and the format the
   * groups resolved to ({@code mixed-precision}, with each scheme naming its own, when they
   * differ).
   */
  static CompressedTensorsConfig compressed(CompressedTensorsConfig c) {
    Map<String, String> formats = new TreeMap<>();
    c.configGroups()
        .forEach(
            (name, s) -> {
              if (s.weights() != null) {
                formats.put(name, of(c.format(), s));
              }
            });
    TreeSet<String> distinct = new TreeSet<>(formats.values());
    String format =
        !UNSPECIFIC.contains(c.format()) || distinct.isEmpty()
            ? c.format()
            : distinct.size() == 1 ? distinct.first() : "mixed-precision";
    Map<String, QuantizationScheme> groups = new LinkedHashMap<>(c.configGroups());
    if (format.equals("mixed-precision")) {
      formats.forEach(
          (name, f) -> {
            QuantizationScheme s = groups.get(name);
            Map<String, JsonNode> keys = new LinkedHashMap<>(s.unknownKeys());
            keys.putIfAbsent("format", JsonNodeFactory.instance.textNode(f));
            groups.put(
                name,
                new QuantizationScheme(
                    s.targets(),
                    s.weights(),
                    s.inputActivations(),
                    s.outputActivations(),
                    s.preset(),
                    keys));
          });
    }
    return new CompressedTensorsConfig(
        groups,
        format,
        "compressed",
        c.kvCacheScheme(),
        c.globalCompressionRatio(),
        c.ignore(),
        c.sparsityConfig(),
        c.dequantize(),
        c.unknownKeys());
  }
}
