package dev.quant4j.config;

import static dev.quant4j.config.ModelConfig.MAX_HEADS;
import static dev.quant4j.config.ModelConfig.MAX_HEAD_DIM;
import static dev.quant4j.config.ModelConfig.MAX_HIDDEN;
import static dev.quant4j.config.ModelConfig.MAX_INTERMEDIATE;
import static dev.quant4j.config.ModelConfig.MAX_LAYERS;
import static dev.quant4j.config.ModelConfig.MAX_POSITIONS;
import static dev.quant4j.config.ModelConfig.MAX_VOCAB;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.NotSupportedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a config.json tree into a {@link ModelConfig}, refusing anything unsupported or absurd
 * before a single size is used. Absent keys take the transformers 5.x class defaults of the model
 * type (see {@link Architecture}).
 */
final class ModelConfigParser {
  /** The class default of Mistral, Qwen2 and Qwen3 when the key is absent (not null). */
  private static final int DEFAULT_SLIDING_WINDOW = 4096;

  private ModelConfigParser() {}

  static ModelConfig parse(Path file, JsonNode node) {
    JsonFields f = JsonFields.of(file, "", node, "config.json");
    Architecture arch = architecture(f);

    int hidden = f.requireInt("hidden_size", 1, MAX_HIDDEN);
    int intermediate = f.requireInt("intermediate_size", 1, MAX_INTERMEDIATE);
    int layers = f.requireInt("num_hidden_layers", 1, MAX_LAYERS);
    int heads = f.requireInt("num_attention_heads", 1, MAX_HEADS);
    int kvHeads = f.intOr("num_key_value_heads", heads, 1, MAX_HEADS);
    int vocab = f.requireInt("vocab_size", 1, MAX_VOCAB);
    if (heads % kvHeads != 0) {
      throw f.error(
          "num_key_value_heads",
          "must divide num_attention_heads (" + heads + ")",
          "a divisor of " + heads,
          kvHeads);
    }
    int headDim;
    if (f.has("head_dim")) {
      headDim = f.requireInt("head_dim", 2, MAX_HEAD_DIM);
    } else if (arch.defaultHeadDim() > 0) {
      headDim = arch.defaultHeadDim();
    } else {
      if (hidden % heads != 0) {
        throw f.error(
            "hidden_size",
            "not divisible by num_attention_heads (" + heads + ") and no head_dim given",
            "a multiple of " + heads,
            hidden);
      }
      headDim = hidden / heads;
    }
    if (headDim % 2 != 0) {
      throw f.error("head_dim", "rotary embeddings need an even head size", "even", headDim);
    }
    if ((long) heads * headDim > MAX_HIDDEN) {
      throw f.error(
          "num_attention_heads",
          "num_attention_heads * head_dim too large",
          "at most " + MAX_HIDDEN,
          (long) heads * headDim);
    }

    int maxPositions =
        f.intOr("max_position_embeddings", arch.defaultMaxPositionEmbeddings(), 1, MAX_POSITIONS);
    double eps = f.doubleOr("rms_norm_eps", 1e-6);
    if (!(eps > 0 && eps < 1)) {
      throw f.error("rms_norm_eps", "out of range", "in (0, 1)", eps);
    }
    String act = f.optString("hidden_act").orElse("silu");
    if (!act.equals("silu")) {
      throw new NotSupportedException(file, "hidden_act: activation '" + act + "' (only silu)");
    }
    RopeConfig rope = RopeParser.parse(f, maxPositions);
    if (rope.rotaryDim(headDim) < 2 || rope.rotaryDim(headDim) % 2 != 0) {
      throw f.error(
          "partial_rotary_factor",
          "rotates an odd or empty part of the head",
          "an even number of dims >= 2",
          rope.rotaryDim(headDim));
    }

    boolean attentionBias = f.boolOr("attention_bias", false);
    boolean mlpBiasKey = f.boolOr("mlp_bias", false);
    long maxId = (long) vocab - 1;
    OptionalInt bos = bosTokenId(f, arch.defaultBosTokenId(), maxId);
    List<Integer> eos =
        f.node().has("eos_token_id")
            ? f.intOrIntList("eos_token_id", 0, maxId)
            : defaultEos(arch, maxId);
    OptionalInt pad = f.optInt("pad_token_id", 0, maxId);
    Optional<String> dtype = f.optString("dtype").or(() -> f.optString("torch_dtype"));
    Optional<ObjectNode> quantization = f.optObject("quantization_config");

    return new ModelConfig(
        arch.modelType(),
        f.has("architectures") ? f.stringList("architectures") : List.of(arch.className()),
        hidden,
        intermediate,
        layers,
        heads,
        kvHeads,
        headDim,
        vocab,
        maxPositions,
        eps,
        rope,
        f.boolOr("tie_word_embeddings", false),
        arch.qkvBias(attentionBias),
        arch.outputBias(attentionBias),
        arch.mlpBias(mlpBiasKey),
        arch.qkNorm(),
        act,
        bos,
        eos,
        pad,
        dtype.orElse(null),
        quantization,
        slidingWindow(f, arch),
        f.node());
  }

  /**
   * The architecture named by {@code model_type} and {@code architectures}, which must agree; any
   * {@code auto_map} means the checkpoint wants its own Python code run, which quant4j never does.
   */
  private static Architecture architecture(JsonFields f) {
    List<String> classes = f.stringList("architectures");
    Optional<String> modelType = f.optString("model_type");
    String named = classes.isEmpty() ? modelType.orElse(null) : classes.getFirst();
    if (f.has("auto_map")) {
      throw new NotSupportedException(
          f.file(),
          "architecture '"
              + (named == null ? "custom" : named)
              + "' with remote code (auto_map): quant4j never runs checkpoint code; it supports "
              + Architecture.supportedList());
    }
    if (named == null) {
      throw f.error(
          "model_type", "required key is missing", "model_type or architectures", "absent");
    }
    if (classes.size() > 1) {
      throw f.error(
          "architectures", "several architectures in one checkpoint", "exactly one", classes);
    }
    Optional<Architecture> byType = modelType.flatMap(Architecture::byModelType);
    Optional<Architecture> byClass =
        classes.isEmpty() ? byType : Architecture.byClassName(classes.getFirst());
    if (byClass.isEmpty() || (modelType.isPresent() && byType.isEmpty())) {
      String unknown = byClass.isEmpty() ? named : modelType.get();
      throw new NotSupportedException(
          f.file(),
          "architecture '" + unknown + "' (quant4j supports " + Architecture.supportedList() + ")");
    }
    if (byType.isPresent() && byType.get() != byClass.get()) {
      throw f.error(
          "architectures",
          "does not match model_type '" + modelType.get() + "'",
          byType.get().className(),
          classes.getFirst());
    }
    return byClass.get();
  }

  /** An explicit null means "none"; only an absent key takes the class default. */
  private static OptionalInt bosTokenId(JsonFields f, int fallback, long maxId) {
    if (f.node().has("bos_token_id")) {
      return f.optInt("bos_token_id", 0, maxId);
    }
    return fallback >= 0 && fallback <= maxId ? OptionalInt.of(fallback) : OptionalInt.empty();
  }

  private static List<Integer> defaultEos(Architecture arch, long maxId) {
    int id = arch.defaultEosTokenId();
    return id >= 0 && id <= maxId ? List.of(id) : List.of();
  }

  private static Integer slidingWindow(JsonFields f, Architecture arch) {
    boolean honoured =
        switch (arch) {
          case MISTRAL -> true;
          case QWEN2, QWEN3 -> f.boolOr("use_sliding_window", false);
          case LLAMA -> false;
        };
    if (!honoured) {
      return null;
    }
    if (!f.node().has("sliding_window")) {
      return DEFAULT_SLIDING_WINDOW;
    }
    OptionalInt window = f.optInt("sliding_window", 1, MAX_POSITIONS);
    return window.isPresent() ? window.getAsInt() : null;
  }
}
