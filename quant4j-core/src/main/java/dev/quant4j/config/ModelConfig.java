package dev.quant4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.json.BoundedJson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Llama-family config.json (llama, mistral, qwen2, qwen3), validated: known architecture, no
 * remote code, every size within sanity bounds and consistent with the others, token ids inside the
 * vocabulary. Nothing is allocated from these numbers before they pass; the tensors are then
 * cross-checked with {@link #expectedTensorShapes()}.
 *
 * <p>{@code raw} keeps the whole document, unknown keys included, so {@link #toJson()} writes back
 * what was read. The record is immutable: {@code raw} and the quantization config are copied in and
 * out.
 *
 * @param headDim the explicit {@code head_dim}, else hidden_size / num_attention_heads
 * @param qkvBias whether q/k/v projections carry biases (Qwen2 always; Llama and Qwen3 per {@code
 *     attention_bias})
 * @param attentionOutputBias whether o_proj carries a bias (Llama and Qwen3 per {@code
 *     attention_bias})
 * @param qkNorm Qwen3's per-head RMSNorm of queries and keys
 * @param eosTokenIds {@code eos_token_id} as a list (it may be written as one int); empty if absent
 * @param dtype {@code dtype} (or the older {@code torch_dtype}); null when the config names none,
 *     in which case the weights' own dtype decides
 * @param slidingWindow the effective sliding attention window, null when attention is global (Qwen
 *     only honours {@code sliding_window} with {@code use_sliding_window: true})
 */
public record ModelConfig(
    String modelType,
    List<String> architectures,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int vocabSize,
    int maxPositionEmbeddings,
    double rmsNormEps,
    RopeConfig rope,
    boolean tieWordEmbeddings,
    boolean qkvBias,
    boolean attentionOutputBias,
    boolean mlpBias,
    boolean qkNorm,
    String hiddenAct,
    OptionalInt bosTokenId,
    List<Integer> eosTokenIds,
    OptionalInt padTokenId,
    String dtype,
    Optional<ObjectNode> quantizationConfig,
    Integer slidingWindow,
    ObjectNode raw) {

  /** The largest vocabulary accepted: 2^24 rows, far above any real tokenizer. */
  public static final int MAX_VOCAB = 1 << 24;

  public static final int MAX_LAYERS = 1024;
  public static final int MAX_HIDDEN = 65536;
  public static final int MAX_INTERMEDIATE = 1 << 20;
  public static final int MAX_HEADS = 4096;
  public static final int MAX_HEAD_DIM = 1024;
  public static final int MAX_POSITIONS = 1 << 24;

  public ModelConfig {
    Objects.requireNonNull(modelType, "modelType");
    Objects.requireNonNull(rope, "rope");
    Objects.requireNonNull(hiddenAct, "hiddenAct");
    architectures = List.copyOf(architectures);
    eosTokenIds = List.copyOf(eosTokenIds);
    quantizationConfig = quantizationConfig.map(ObjectNode::deepCopy);
    raw = raw.deepCopy();
  }

  /** Reads and validates a config.json. */
  public static ModelConfig read(Path configJson) {
    return fromJson(configJson, BoundedJson.CONFIG.read(configJson));
  }

  /** Validates a parsed config.json; {@code fileForErrors} names it in errors (may be null). */
  public static ModelConfig fromJson(Path fileForErrors, JsonNode node) {
    return ModelConfigParser.parse(fileForErrors, node);
  }

  /** The architecture, known to be supported once the record exists. */
  public Architecture architecture() {
    return Architecture.byModelType(modelType).orElseThrow();
  }

  /** A copy of the document as read (with the quantization config as currently set). */
  @Override
  public ObjectNode raw() {
    return raw.deepCopy();
  }

  @Override
  public Optional<ObjectNode> quantizationConfig() {
    return quantizationConfig.map(ObjectNode::deepCopy);
  }

  /** The document to save: every key read, unknown ones included, in their original order. */
  public ObjectNode toJson() {
    return raw.deepCopy();
  }

  /**
   * This config with {@code quantization_config} replaced (null removes it), as written beside a
   * freshly quantized checkpoint.
   */
  public ModelConfig withQuantizationConfig(ObjectNode quantization) {
    ObjectNode doc = raw.deepCopy();
    if (quantization == null) {
      doc.remove("quantization_config");
    } else {
      doc.set("quantization_config", quantization.deepCopy());
    }
    return new ModelConfig(
        modelType,
        architectures,
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        numKeyValueHeads,
        headDim,
        vocabSize,
        maxPositionEmbeddings,
        rmsNormEps,
        rope,
        tieWordEmbeddings,
        qkvBias,
        attentionOutputBias,
        mlpBias,
        qkNorm,
        hiddenAct,
        bosTokenId,
        eosTokenIds,
        padTokenId,
        dtype,
        Optional.ofNullable(quantization),
        slidingWindow,
        doc);
  }

  /**
   * Every tensor a Llama-family checkpoint of this config holds, by name, with its logical
   * (unquantized) shape, in a stable order: embeddings, then each layer, then the final norm and
   * the head. A quantizer may store a weight in another shape; the loader compares logical shapes.
   * The arrays are fresh copies.
   */
  public Map<String, long[]> expectedTensorShapes() {
    return LlamaTensorShapes.expected(this);
  }

  /** Checks {@code shapes} (name to stored shape) against {@link #expectedTensorShapes()}. */
  public void checkTensorShapes(Map<String, long[]> shapes) {
    checkTensorShapes(null, shapes);
  }

  /**
   * Checks an unquantized checkpoint's tensors: each expected one present with its shape; {@code
   * checkpoint} names the file in errors.
   *
   * @throws dev.quant4j.error.FormatException naming the first missing or mis-shaped tensor
   */
  public void checkTensorShapes(Path checkpoint, Map<String, long[]> shapes) {
    LlamaTensorShapes.check(this, checkpoint, shapes::get);
  }
}
