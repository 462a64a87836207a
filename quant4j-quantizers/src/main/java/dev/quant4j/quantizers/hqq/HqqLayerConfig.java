package dev.quant4j.quantizers.hqq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigReader;
import java.util.Map;

/**
 * One layer's settings as the hqq library's {@code BaseQuantizeConfig} writes them: a {@code
 * weight_quant_params} block plus meta-quantization settings (deprecated, kept as given).
 *
 * @param nbits 1, 2, 3, 4 or 8
 * @param groupSize values per group, or null for one group per channel
 * @param axis 0 or 1, the axis groups run along
 * @param viewAsFloat packed codes stored viewed as the compute dtype
 * @param channelWise per-channel statistics
 * @param optimize run the HQQ proximal solver
 * @param roundZero round zero points (hqq's default: only at 4 bits)
 * @param offloadMeta keep scales and zeros on the CPU
 * @param scaleQuantParams meta-quantization of scales, or null
 * @param zeroQuantParams meta-quantization of zeros, or null
 * @param unknownKeys keys of {@code weight_quant_params} this version does not know
 */
public record HqqLayerConfig(
    int nbits,
    Integer groupSize,
    int axis,
    boolean viewAsFloat,
    boolean channelWise,
    boolean optimize,
    boolean roundZero,
    boolean offloadMeta,
    JsonNode scaleQuantParams,
    JsonNode zeroQuantParams,
    Map<String, JsonNode> unknownKeys) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  public HqqLayerConfig {
    ConfigChecks.oneOf("nbits", "unsupported bit width", nbits, 1, 2, 3, 4, 8);
    if (groupSize != null) {
      ConfigChecks.positive("group_size", groupSize);
    }
    ConfigChecks.oneOf("axis", "unsupported axis", axis, 0, 1);
    scaleQuantParams = scaleQuantParams == null ? null : scaleQuantParams.deepCopy();
    zeroQuantParams = zeroQuantParams == null ? null : zeroQuantParams.deepCopy();
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** A copy: the record must stay immutable. */
  @Override
  public JsonNode scaleQuantParams() {
    return scaleQuantParams == null ? null : scaleQuantParams.deepCopy();
  }

  /** A copy: the record must stay immutable. */
  @Override
  public JsonNode zeroQuantParams() {
    return zeroQuantParams == null ? null : zeroQuantParams.deepCopy();
  }

  /** As transformers' {@code HqqConfig(nbits, group_size, view_as_float, axis)} sets it up. */
  public static HqqLayerConfig of(int nbits, Integer groupSize, int axis, boolean viewAsFloat) {
    return new HqqLayerConfig(
        nbits, groupSize, axis, viewAsFloat, true, true, nbits == 4, false, null, null, Map.of());
  }

  /** Reads the constructor-argument form ({@code nbits}, {@code group_size}, …). */
  static HqqLayerConfig readArgs(ConfigReader r) {
    int nbits = r.integer("nbits", 4);
    Integer groupSize = r.optInteger("group_size", 64);
    Integer axis = r.optInteger("axis", null);
    boolean viewAsFloat = r.bool("view_as_float", false);
    return r.build(() -> of(nbits, groupSize, axis == null ? 1 : axis, viewAsFloat));
  }

  /** Reads hqq's own form: {@code {weight_quant_params: {...}, scale_quant_params, ...}}. */
  static HqqLayerConfig readQuantConfig(ConfigReader r) {
    ConfigReader w = r.required("weight_quant_params");
    int nbits = w.integer("nbits", 4);
    Integer groupSize = w.optInteger("group_size", 64);
    int axis = w.integer("axis", 1);
    boolean viewAsFloat = w.bool("view_as_float", false);
    boolean channelWise = w.bool("channel_wise", true);
    boolean optimize = w.bool("optimize", true);
    boolean roundZero = w.bool("round_zero", nbits == 4);
    boolean offloadMeta = r.bool("offload_meta", false);
    JsonNode scale = r.node("scale_quant_params");
    JsonNode zero = r.node("zero_quant_params");
    return w.build(
        () ->
            new HqqLayerConfig(
                nbits,
                groupSize,
                axis,
                viewAsFloat,
                channelWise,
                optimize,
                roundZero,
                offloadMeta,
                scale,
                zero,
                w.unknown()));
  }

  /**
   * hqq's {@code BaseQuantizeConfig} dict, keys in the order hqq builds it (and the saved
   * checkpoints on the Hub have them): {@code weight_quant_params} first, each of its keys as
   * {@code BaseQuantizeConfig} assigns them.
   */
  ObjectNode toQuantConfig() {
    ObjectNode weights = NODES.objectNode();
    weights.put("nbits", nbits);
    weights.put("channel_wise", channelWise);
    if (groupSize == null) {
      weights.putNull("group_size");
    } else {
      weights.put("group_size", groupSize);
    }
    weights.put("optimize", optimize);
    weights.put("round_zero", roundZero);
    weights.put("axis", axis);
    weights.put("view_as_float", viewAsFloat);
    unknownKeys.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> weights.putIfAbsent(e.getKey(), e.getValue().deepCopy()));
    ObjectNode out = NODES.objectNode();
    out.set("weight_quant_params", weights);
    out.set(
        "scale_quant_params",
        scaleQuantParams == null ? NODES.nullNode() : scaleQuantParams.deepCopy());
    out.set(
        "zero_quant_params",
        zeroQuantParams == null ? NODES.nullNode() : zeroQuantParams.deepCopy());
    out.put("offload_meta", offloadMeta);
    return out;
  }
}
