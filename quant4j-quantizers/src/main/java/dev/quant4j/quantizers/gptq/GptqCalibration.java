package dev.quant4j.quantizers.gptq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import java.util.List;

/**
 * The calibration and packing arguments GPTQ shares with AWQ (transformers' {@code AwqConfig}
 * subclasses {@code GPTQConfig}, so both write these keys).
 *
 * @param tokenizer a tokenizer name or null (kept as given; quant4j uses the model's tokenizer)
 * @param dataset null, a list of texts, or one of wikitext2, c4, c4-new; quant4j downloads nothing,
 *     so a named dataset needs its text given explicitly when quantizing
 * @param dampPercent Hessian dampening, a fraction of the mean diagonal, in (0, 1)
 * @param descAct quantize columns by decreasing activation (act-order)
 * @param actGroupAware GPTQModel's group-aware reordering
 * @param sym symmetric quantization
 * @param trueSequential quantize sub-layers one after another within a block
 * @param meta free-form metadata (quantizer versions), kept as given
 * @param modelSeqlen calibration sequence length, or null for the model's
 * @param blockNameToQuantize the block list's name (a string or a list), or null to find it
 * @param moduleNamePrecedingFirstBlock modules run before the first block, or null
 * @param batchSize calibration batch size
 * @param padTokenId padding id for calibration batches, or null
 * @param maxInputLength exllama buffer length, or null
 * @param cacheBlockOutputs reuse block outputs as the next block's inputs
 * @param modulesInBlockToQuantize the linear layers per block, as a list of lists, or null for all
 */
public record GptqCalibration(
    JsonNode tokenizer,
    JsonNode dataset,
    double dampPercent,
    boolean descAct,
    boolean actGroupAware,
    boolean sym,
    boolean trueSequential,
    JsonNode meta,
    Integer modelSeqlen,
    JsonNode blockNameToQuantize,
    List<String> moduleNamePrecedingFirstBlock,
    int batchSize,
    Integer padTokenId,
    Integer maxInputLength,
    boolean cacheBlockOutputs,
    JsonNode modulesInBlockToQuantize) {
  public static final List<String> DATASET_NAMES = List.of("wikitext2", "c4", "c4-new");
  public static final GptqCalibration DEFAULTS =
      new GptqCalibration(
          null, null, 0.1, false, true, true, true, null, null, null, null, 1, null, null, true,
          null);

  public GptqCalibration {
    ConfigChecks.require(
        dampPercent > 0 && dampPercent < 1,
        "damp_percent",
        "out of range",
        "0 < damp_percent < 1",
        dampPercent);
    if (dataset != null) {
      if (dataset.isTextual()) {
        ConfigChecks.oneOf("dataset", "unknown dataset name", dataset.textValue(), DATASET_NAMES);
      } else {
        boolean texts = dataset.isArray();
        for (JsonNode item : dataset) {
          texts &= item.isTextual();
        }
        ConfigChecks.require(
            texts, "dataset", "must be a list of texts or a dataset name", DATASET_NAMES, dataset);
      }
      dataset = dataset.deepCopy();
    }
    ConfigChecks.positive("batch_size", batchSize);
    tokenizer = tokenizer == null ? null : tokenizer.deepCopy();
    meta = meta == null ? null : meta.deepCopy();
    blockNameToQuantize = blockNameToQuantize == null ? null : blockNameToQuantize.deepCopy();
    moduleNamePrecedingFirstBlock = ConfigChecks.copyOrNull(moduleNamePrecedingFirstBlock);
    modulesInBlockToQuantize =
        modulesInBlockToQuantize == null ? null : modulesInBlockToQuantize.deepCopy();
  }

  // Accessors of JSON values return copies: the record must stay immutable.

  @Override
  public JsonNode tokenizer() {
    return copy(tokenizer);
  }

  @Override
  public JsonNode dataset() {
    return copy(dataset);
  }

  @Override
  public JsonNode meta() {
    return copy(meta);
  }

  @Override
  public JsonNode blockNameToQuantize() {
    return copy(blockNameToQuantize);
  }

  @Override
  public JsonNode modulesInBlockToQuantize() {
    return copy(modulesInBlockToQuantize);
  }

  private static JsonNode copy(JsonNode node) {
    return node == null ? null : node.deepCopy();
  }

  /** The same with act-order on or off. */
  public GptqCalibration withDescAct(boolean on) {
    return new GptqCalibration(
        tokenizer,
        dataset,
        dampPercent,
        on,
        actGroupAware,
        sym,
        trueSequential,
        meta,
        modelSeqlen,
        blockNameToQuantize,
        moduleNamePrecedingFirstBlock,
        batchSize,
        padTokenId,
        maxInputLength,
        cacheBlockOutputs,
        modulesInBlockToQuantize);
  }

  /** Reads the keys; value checks run in the constructor, inside the caller's {@code build}. */
  public static GptqCalibration read(ConfigReader r) {
    return r.build(
        () ->
            new GptqCalibration(
                r.node("tokenizer"),
                r.node("dataset"),
                r.number("damp_percent", 0.1),
                r.bool("desc_act", false),
                r.bool("act_group_aware", true),
                r.bool("sym", true),
                r.bool("true_sequential", true),
                r.node("meta"),
                r.optInteger("model_seqlen", null),
                r.node("block_name_to_quantize"),
                r.optStrings("module_name_preceding_first_block", null),
                r.integer("batch_size", 1),
                r.optInteger("pad_token_id", null),
                r.optInteger("max_input_length", null),
                r.bool("cache_block_outputs", true),
                r.node("modules_in_block_to_quantize")));
  }

  /** Writes the keys into a config dict. */
  public ConfigDict write(ConfigDict d) {
    return d.put("tokenizer", tokenizer)
        .put("dataset", dataset)
        .put("damp_percent", (Double) dampPercent)
        .put("desc_act", descAct)
        .put("act_group_aware", actGroupAware)
        .put("sym", sym)
        .put("true_sequential", trueSequential)
        .put("meta", meta)
        .put("model_seqlen", modelSeqlen)
        .put("block_name_to_quantize", blockNameToQuantize)
        .putStrings("module_name_preceding_first_block", moduleNamePrecedingFirstBlock)
        .put("batch_size", batchSize)
        .put("pad_token_id", padTokenId)
        .put("max_input_length", maxInputLength)
        .put("cache_block_outputs", cacheBlockOutputs)
        .put("modules_in_block_to_quantize", modulesInBlockToQuantize);
  }
}
