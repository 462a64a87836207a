package dev.quant4j.quantizers.compressed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import java.util.List;
import java.util.Map;

/**
 * compressed-tensors' {@code QuantizationArgs}: how one tensor (weights, input or output
 * activations, KV cache) is quantized, after the library's post-validation (strategy inferred,
 * observer defaulted, actorder aliases resolved).
 *
 * @param numBits bits per value
 * @param type int or float
 * @param symmetric no zero point
 * @param groupSize values per group; -1 per channel; null when not grouped
 * @param strategy tensor, channel, group, block, token, tensor_group or attn_head
 * @param blockStructure [rows, cols] for the block strategy, else null
 * @param dynamic scales computed at run time ({@code "local"}: per group, global scale static)
 * @param actorder group, weight or null (no activation ordering)
 * @param observer the calibration observer's name, or null for dynamic quantization
 * @param observerKwargs its arguments
 * @param unknownKeys other keys ({@code scale_dtype}, {@code zp_dtype}, …), kept
 */
public record QuantizationArgs(
    int numBits,
    String type,
    boolean symmetric,
    Integer groupSize,
    String strategy,
    List<Integer> blockStructure,
    Dynamic dynamic,
    String actorder,
    String observer,
    ObjectNode observerKwargs,
    Map<String, JsonNode> unknownKeys) {
  public static final List<String> TYPES = List.of("int", "float");
  public static final List<String> STRATEGIES =
      List.of("tensor", "channel", "group", "block", "token", "tensor_group", "attn_head");

  /** The three values of {@code dynamic}. */
  public enum Dynamic {
    FALSE,
    TRUE,
    LOCAL;

    JsonNode toJson() {
      JsonNodeFactory f = JsonNodeFactory.instance;
      return this == LOCAL ? f.textNode("local") : f.booleanNode(this == TRUE);
    }
  }

  public QuantizationArgs {
    ConfigChecks.require(
        numBits > 0 && numBits <= 32, "num_bits", "out of range", "1..32", numBits);
    ConfigChecks.oneOf("type", "unknown type", type, TYPES);
    ConfigChecks.oneOf("strategy", "unknown strategy", strategy, STRATEGIES);
    boolean grouped = strategy.equals("group") || strategy.equals("tensor_group");
    ConfigChecks.require(
        !grouped || (groupSize != null && groupSize > 0),
        "group_size",
        "strategy " + strategy + " needs a positive group_size",
        "> 0",
        groupSize);
    ConfigChecks.require(
        strategy.equals("block") == (blockStructure != null),
        "block_structure",
        "is given exactly when the strategy is block",
        strategy.equals("block") ? "[rows, cols]" : "null",
        blockStructure);
    if (blockStructure != null) {
      ConfigChecks.require(
          blockStructure.size() == 2 && blockStructure.stream().allMatch(v -> v > 0),
          "block_structure",
          "must be two positive integers",
          "[rows, cols]",
          blockStructure);
    }
    ConfigChecks.require(
        !strategy.equals("token") || dynamic != Dynamic.FALSE,
        "dynamic",
        "strategy token needs dynamic quantization",
        true,
        false);
    ConfigChecks.require(
        dynamic == Dynamic.FALSE
            || List.of("token", "tensor", "group", "tensor_group").contains(strategy),
        "dynamic",
        "dynamic quantization is not possible with strategy " + strategy,
        "token, tensor, group or tensor_group",
        strategy);
    ConfigChecks.require(
        dynamic != Dynamic.LOCAL || strategy.equals("tensor_group"),
        "dynamic",
        "\"local\" needs strategy tensor_group",
        "tensor_group",
        strategy);
    if (actorder != null) {
      ConfigChecks.oneOf(
          "actorder", "unknown activation order", actorder, List.of("group", "weight"));
    }
    blockStructure = ConfigChecks.copyOrNull(blockStructure);
    observerKwargs =
        observerKwargs == null ? JsonNodeFactory.instance.objectNode() : observerKwargs.deepCopy();
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** Static symmetric-or-not quantization with a strategy, the rest at the library's defaults. */
  public static QuantizationArgs of(
      int numBits,
      String type,
      boolean symmetric,
      String strategy,
      Integer groupSize,
      Dynamic dynamic) {
    return new QuantizationArgs(
        numBits,
        type,
        symmetric,
        groupSize,
        strategy,
        null,
        dynamic,
        null,
        defaultObserver(dynamic),
        null,
        Map.of());
  }

  /** A copy: the record's node must stay unchanged. */
  @Override
  public ObjectNode observerKwargs() {
    return observerKwargs.deepCopy();
  }

  static QuantizationArgs read(ConfigReader r) {
    int numBits = r.integer("num_bits", 8);
    String type = r.optString("type", "int");
    boolean symmetric = r.bool("symmetric", true);
    Integer groupSize = r.optInteger("group_size", null);
    List<Integer> block = readBlock(r);
    Dynamic dynamic = readDynamic(r);
    String strategy = r.optString("strategy", null);
    String inferred = strategy != null ? strategy : inferStrategy(groupSize, block);
    String actorder = readActorder(r);
    String observer = r.has("observer") ? r.optString("observer", null) : defaultObserver(dynamic);
    ObjectNode kwargs = r.optObject("observer_kwargs", null);
    return r.build(
        () ->
            new QuantizationArgs(
                numBits,
                type,
                symmetric,
                groupSize,
                inferred,
                block,
                dynamic,
                actorder,
                observer,
                kwargs,
                r.unknown()));
  }

  private static String inferStrategy(Integer groupSize, List<Integer> block) {
    if (block != null) {
      return "block";
    }
    if (groupSize == null) {
      return "tensor";
    }
    return groupSize == -1 ? "channel" : "group";
  }

  private static String defaultObserver(Dynamic dynamic) {
    return switch (dynamic) {
      case TRUE -> null;
      case LOCAL -> "minmax";
      case FALSE -> "memoryless_minmax";
    };
  }

  private static List<Integer> readBlock(ConfigReader r) {
    JsonNode n = r.has("block_structure") ? r.node("block_structure") : null;
    if (n != null && n.isTextual()) {
      // Older files write "128x128".
      String[] parts = n.textValue().split("x");
      try {
        if (parts.length == 2) {
          return List.of(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw r.error("block_structure", "must be [rows, cols] or \"RxC\"", "[rows, cols]", n);
    }
    return r.optInts("block_structure", null);
  }

  private static Dynamic readDynamic(ConfigReader r) {
    JsonNode n = r.node("dynamic");
    if (n == null) {
      return Dynamic.FALSE;
    }
    if (n.isBoolean()) {
      return n.booleanValue() ? Dynamic.TRUE : Dynamic.FALSE;
    }
    if (n.isTextual() && n.textValue().equals("local")) {
      return Dynamic.LOCAL;
    }
    throw r.error("dynamic", "must be true, false or \"local\"", "true, false or \"local\"", n);
  }

  private static String readActorder(ConfigReader r) {
    JsonNode n = r.node("actorder");
    if (n == null || (n.isBoolean() && !n.booleanValue())) {
      return null;
    }
    if (n.isBoolean()) {
      return "group";
    }
    String v = n.isTextual() ? n.textValue() : "";
    return switch (v) {
      case "group", "dynamic" -> "group";
      case "weight", "static" -> "weight";
      default -> throw r.error("actorder", "unknown activation order", "group, weight or null", n);
    };
  }

  ObjectNode toDict() {
    ObjectNode d =
        ConfigDict.of("compressed-tensors")
            .put("num_bits", numBits)
            .put("type", type)
            .put("symmetric", symmetric)
            .put("group_size", groupSize)
            .put("strategy", strategy)
            .putInts("block_structure", blockStructure)
            .put("dynamic", dynamic.toJson())
            .put("actorder", actorder)
            .put("observer", observer)
            .put("observer_kwargs", observerKwargs)
            .unknown(unknownKeys)
            .build();
    d.remove("quant_method");
    return d;
  }
}
