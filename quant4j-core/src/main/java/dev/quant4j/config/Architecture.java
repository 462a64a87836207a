package dev.quant4j.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Llama-family architectures quant4j runs, with what their transformers config classes assume
 * when a key is absent from config.json (the class defaults of transformers 5.x) and which biases
 * and norms their attention carries.
 */
public enum Architecture {
  LLAMA("llama", "LlamaForCausalLM", 2048, 1, 2, 0),
  MISTRAL("mistral", "MistralForCausalLM", 4096 * 32, 1, 2, 0),
  QWEN2("qwen2", "Qwen2ForCausalLM", 32768, -1, -1, 0),
  QWEN3("qwen3", "Qwen3ForCausalLM", 32768, -1, -1, 128);

  private final String modelType;
  private final String className;
  private final int defaultMaxPositionEmbeddings;
  private final int defaultBosTokenId;
  private final int defaultEosTokenId;
  private final int defaultHeadDim;

  Architecture(
      String modelType,
      String className,
      int defaultMaxPositionEmbeddings,
      int defaultBosTokenId,
      int defaultEosTokenId,
      int defaultHeadDim) {
    this.modelType = modelType;
    this.className = className;
    this.defaultMaxPositionEmbeddings = defaultMaxPositionEmbeddings;
    this.defaultBosTokenId = defaultBosTokenId;
    this.defaultEosTokenId = defaultEosTokenId;
    this.defaultHeadDim = defaultHeadDim;
  }

  /** The {@code model_type} of config.json. */
  public String modelType() {
    return modelType;
  }

  /** The class name listed in {@code architectures}. */
  public String className() {
    return className;
  }

  int defaultMaxPositionEmbeddings() {
    return defaultMaxPositionEmbeddings;
  }

  /** Negative when the config class has no default (Qwen leaves them to generation_config). */
  int defaultBosTokenId() {
    return defaultBosTokenId;
  }

  int defaultEosTokenId() {
    return defaultEosTokenId;
  }

  /** Qwen3's class default for {@code head_dim}; 0 means hidden_size / num_attention_heads. */
  int defaultHeadDim() {
    return defaultHeadDim;
  }

  /**
   * Qwen2 always has q/k/v biases (its config has no key for them); Llama and Qwen3 follow {@code
   * attention_bias}; Mistral has none.
   */
  boolean qkvBias(boolean attentionBiasKey) {
    return switch (this) {
      case QWEN2 -> true;
      case MISTRAL -> false;
      case LLAMA, QWEN3 -> attentionBiasKey;
    };
  }

  boolean outputBias(boolean attentionBiasKey) {
    return switch (this) {
      case QWEN2, MISTRAL -> false;
      case LLAMA, QWEN3 -> attentionBiasKey;
    };
  }

  /** Only Llama's MLP reads {@code mlp_bias}. */
  boolean mlpBias(boolean mlpBiasKey) {
    return this == LLAMA && mlpBiasKey;
  }

  /** Qwen3 normalises each query and key head (RMSNorm over head_dim) before RoPE. */
  boolean qkNorm() {
    return this == QWEN3;
  }

  public static Optional<Architecture> byModelType(String modelType) {
    return Arrays.stream(values()).filter(a -> a.modelType.equals(modelType)).findFirst();
  }

  public static Optional<Architecture> byClassName(String className) {
    return Arrays.stream(values()).filter(a -> a.className.equals(className)).findFirst();
  }

  /** "LlamaForCausalLM, MistralForCausalLM, ..." for error messages. */
  static String supportedList() {
    return Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", "));
  }
}
