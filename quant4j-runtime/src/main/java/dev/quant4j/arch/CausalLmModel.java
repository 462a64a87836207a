package dev.quant4j.arch;

import dev.quant4j.config.ModelConfig;

/**
 * A causal language model with its weights in place. Immutable and shareable between threads; all
 * per-sequence state lives in the {@link InferenceSession}s it opens.
 */
public interface CausalLmModel {
  ModelConfig config();

  /** Number of logits per position (the rows of the output head). */
  int vocabSize();

  /** A fresh session whose KV cache holds up to {@code maxTokens} positions. */
  InferenceSession newSession(int maxTokens);

  /** Bytes the weights occupy as stored for inference (packed, not dequantized). */
  long weightBytes();
}
