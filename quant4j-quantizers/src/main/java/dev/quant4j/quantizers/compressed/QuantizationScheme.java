package dev.quant4j.quantizers.compressed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigReader;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One entry of {@code config_groups}: the modules it targets and how their weights and activations
 * are quantized. A group may also be a preset name (the group's key, such as {@code W4A16}) with a
 * list of targets; that form is kept as such.
 *
 * @param targets module names, class names ({@code Linear}) or {@code re:} patterns
 * @param weights weight quantization, or null
 * @param inputActivations input activation quantization, or null
 * @param outputActivations output activation quantization, or null
 * @param preset the preset name when the group was given in the list form, else null
 * @param unknownKeys other keys (the per-group {@code format}, …), kept
 */
public record QuantizationScheme(
    List<String> targets,
    QuantizationArgs weights,
    QuantizationArgs inputActivations,
    QuantizationArgs outputActivations,
    String preset,
    Map<String, JsonNode> unknownKeys) {
  private static final Pattern PRESETS =
      Pattern.compile(
          "W[2-8]A(4|8|16)|W4A16_ASYM|W4AFP8|INT8|FP8|FP8_DYNAMIC|FP8_BLOCK|NVFP4|NVFP4A16|MXFP4"
              + "|MXFP4A16|MXFP8|MXFP8A16|UNQUANTIZED");

  public QuantizationScheme {
    ConfigChecks.require(
        targets != null && !targets.isEmpty(), "targets", "required", "a list of targets", targets);
    if (preset != null) {
      ConfigChecks.require(
          PRESETS.matcher(preset).matches(),
          preset,
          "a list of targets needs a preset scheme name as its key",
          "W4A16, FP8_DYNAMIC, NVFP4, …",
          preset);
    }
    targets = List.copyOf(targets);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  static QuantizationScheme read(ConfigReader groups, String name, JsonNode node) {
    if (node != null && node.isArray()) {
      List<String> targets = groups.optStrings(name, null);
      return groups.build(() -> new QuantizationScheme(targets, null, null, null, name, Map.of()));
    }
    ConfigReader r = groups.required(name);
    List<String> targets = r.optStrings("targets", null);
    QuantizationArgs weights = args(r, "weights");
    QuantizationArgs input = args(r, "input_activations");
    QuantizationArgs output = args(r, "output_activations");
    return r.build(
        () -> new QuantizationScheme(targets, weights, input, output, null, r.unknown()));
  }

  static QuantizationArgs args(ConfigReader r, String key) {
    ConfigReader child = r.nested(key);
    return child == null ? null : QuantizationArgs.read(child);
  }

  JsonNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (preset != null) {
      return f.arrayNode().addAll(targets.stream().map(f::textNode).toList());
    }
    ObjectNode d = f.objectNode();
    d.set("input_activations", orNull(inputActivations));
    d.set("output_activations", orNull(outputActivations));
    d.set("targets", f.arrayNode().addAll(targets.stream().map(f::textNode).toList()));
    d.set("weights", orNull(weights));
    unknownKeys.forEach((k, v) -> d.putIfAbsent(k, v.deepCopy()));
    return d;
  }

  private static JsonNode orNull(QuantizationArgs args) {
    return args == null ? JsonNodeFactory.instance.nullNode() : args.toDict();
  }
}
