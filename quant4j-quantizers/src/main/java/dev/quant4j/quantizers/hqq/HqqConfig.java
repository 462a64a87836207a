package dev.quant4j.quantizers.hqq;

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
import java.util.Optional;

/**
 * transformers' {@code HqqConfig}. It is written as hqq's own {@code quant_config} block (one
 * {@link HqqLayerConfig}, or one per linear tag with {@code dynamic_config}) plus {@code
 * skip_modules}; both that saved form and the constructor-argument form ({@code nbits}, {@code
 * group_size}, {@code axis}, {@code view_as_float}, {@code dynamic_config}) parse.
 *
 * @param layer the settings of every quantized layer, or null with {@code dynamic}
 * @param dynamic per linear tag ({@code self_attn.q_proj}), or empty; a tag without an entry is not
 *     quantized
 * @param skipModules module name parts that stay unquantized
 */
public record HqqConfig(
    HqqLayerConfig layer,
    Map<String, HqqLayerConfig> dynamic,
    List<String> skipModules,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "hqq";
  public static final List<String> DEFAULT_SKIP = List.of("lm_head");
  public static final HqqConfig DEFAULTS = nbits(4);

  public HqqConfig {
    dynamic = dynamic == null ? Map.of() : Map.copyOf(dynamic);
    ConfigChecks.require(
        (layer == null) != dynamic.isEmpty(),
        "quant_config",
        "needs either one layer config or a dynamic_config",
        "exactly one",
        layer == null ? "neither" : "both");
    skipModules = skipModules == null ? DEFAULT_SKIP : List.copyOf(skipModules);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** {@code HqqConfig(nbits=…, group_size=64, axis=1)}. */
  public static HqqConfig nbits(int nbits) {
    return new HqqConfig(HqqLayerConfig.of(nbits, 64, 1, false), Map.of(), null, Map.of());
  }

  /** The settings for a linear tag: the shared one, or the tag's entry in the dynamic config. */
  public Optional<HqqLayerConfig> layerFor(String linearTag) {
    return layer != null ? Optional.of(layer) : Optional.ofNullable(dynamic.get(linearTag));
  }

  public static HqqConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    HqqLayerConfig layer = null;
    Map<String, HqqLayerConfig> dynamic = new LinkedHashMap<>();
    if (r.has("quant_config")) {
      // transformers' from_dict reads only quant_config and skip_modules: any argument keys
      // beside it are kept as unknown.
      ConfigReader qc = r.required("quant_config");
      if (dict.get("quant_config").has("weight_quant_params")) {
        layer = HqqLayerConfig.readQuantConfig(qc);
      } else {
        for (Map.Entry<String, JsonNode> e : dict.get("quant_config").properties()) {
          dynamic.put(e.getKey(), HqqLayerConfig.readQuantConfig(qc.required(e.getKey())));
        }
      }
    } else {
      ObjectNode dyn = r.optObject("dynamic_config", null);
      if (dyn == null) {
        layer = HqqLayerConfig.readArgs(r);
      } else {
        ConfigReader d = r.nested("dynamic_config", dyn);
        for (Map.Entry<String, JsonNode> e : dyn.properties()) {
          dynamic.put(e.getKey(), HqqLayerConfig.readArgs(d.required(e.getKey())));
        }
        r.ignore("nbits", "group_size", "axis", "view_as_float");
      }
    }
    List<String> skip = r.optStrings("skip_modules", DEFAULT_SKIP);
    HqqLayerConfig single = layer;
    return r.build(() -> new HqqConfig(single, dynamic, skip, r.unknown()));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  /**
   * The dict as transformers 4.4x saved it for hqq, which is what the checkpoints on the Hub hold:
   * {@code quant_config}, {@code quant_method}, {@code skip_modules} in that order, and hqq's own
   * key order inside {@code quant_config} (not sorted, unlike the other methods: the hqq format is
   * written by hqq's dicts, not by {@code to_json_string(sort_keys=True)}).
   */
  @Override
  public ObjectNode toDict() {
    ObjectNode quantConfig;
    if (layer != null) {
      quantConfig = layer.toQuantConfig();
    } else {
      quantConfig = JsonNodeFactory.instance.objectNode();
      dynamic.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> quantConfig.set(e.getKey(), e.getValue().toQuantConfig()));
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.set("quant_config", quantConfig);
    out.put("quant_method", QUANT_METHOD);
    ObjectNode skip = ConfigDict.of(QUANT_METHOD).putStrings("skip_modules", skipModules).build();
    out.set("skip_modules", skip.get("skip_modules"));
    unknownKeys.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.putIfAbsent(e.getKey(), e.getValue().deepCopy()));
    return out;
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return skipModules;
  }
}
