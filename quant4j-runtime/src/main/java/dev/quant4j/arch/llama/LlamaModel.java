package dev.quant4j.arch.llama;

import static dev.quant4j.arch.llama.LlamaNames.attention;
import static dev.quant4j.arch.llama.LlamaNames.layer;
import static dev.quant4j.arch.llama.LlamaNames.mlp;

import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.Compute;
import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.WeightSource;
import dev.quant4j.config.ModelConfig;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.WeightMatrix;
import java.util.List;

/**
 * The Llama family's decoder (Llama, Mistral, Qwen2, Qwen3): embeddings, {@code n} layers of
 * RMSNorm, grouped-query attention with rotary embeddings and a SwiGLU MLP, a final norm and the
 * output head. The variants differ only in configuration: biases, q/k norms, tied head.
 */
final class LlamaModel implements CausalLmModel {
  final ModelConfig config;
  final Compute compute;
  final DenseMatrix embeddings;
  final List<LlamaLayer> layers;
  final float[] finalNorm;
  final WeightMatrix lmHead;
  final float[] inverseFrequencies;

  private LlamaModel(
      ModelConfig config,
      Compute compute,
      DenseMatrix embeddings,
      List<LlamaLayer> layers,
      float[] finalNorm,
      WeightMatrix lmHead) {
    this.config = config;
    this.compute = compute;
    this.embeddings = embeddings;
    this.layers = List.copyOf(layers);
    this.finalNorm = finalNorm;
    this.lmHead = lmHead;
    this.inverseFrequencies = config.rope().inverseFrequencies(config.headDim());
  }

  static LlamaModel build(ModelConfig c, WeightSource w, Compute compute) {
    if (c.rope().rotaryDim(c.headDim()) != c.headDim()) {
      throw new NotSupportedException("partial rotary embeddings (partial_rotary_factor < 1)");
    }
    if (c.slidingWindow() != null && c.slidingWindow() < c.maxPositionEmbeddings()) {
      throw new NotSupportedException(
          "sliding-window attention (sliding_window " + c.slidingWindow() + ")");
    }
    int hidden = c.hiddenSize();
    int qDim = c.numAttentionHeads() * c.headDim();
    int kvDim = c.numKeyValueHeads() * c.headDim();
    int inter = c.intermediateSize();
    DenseMatrix embeddings = w.dense(LlamaNames.EMBEDDINGS, c.vocabSize(), hidden);
    LlamaLayer[] layers = new LlamaLayer[c.numHiddenLayers()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] =
          new LlamaLayer(
              w.vector(layer(i) + "input_layernorm.weight", hidden),
              w.linear(attention(i, "q_proj", "weight"), qDim, hidden),
              w.linear(attention(i, "k_proj", "weight"), kvDim, hidden),
              w.linear(attention(i, "v_proj", "weight"), kvDim, hidden),
              w.linear(attention(i, "o_proj", "weight"), hidden, qDim),
              c.qkvBias() ? w.vector(attention(i, "q_proj", "bias"), qDim) : null,
              c.qkvBias() ? w.vector(attention(i, "k_proj", "bias"), kvDim) : null,
              c.qkvBias() ? w.vector(attention(i, "v_proj", "bias"), kvDim) : null,
              c.attentionOutputBias() ? w.vector(attention(i, "o_proj", "bias"), hidden) : null,
              c.qkNorm() ? w.vector(layer(i) + "self_attn.q_norm.weight", c.headDim()) : null,
              c.qkNorm() ? w.vector(layer(i) + "self_attn.k_norm.weight", c.headDim()) : null,
              w.vector(layer(i) + "post_attention_layernorm.weight", hidden),
              w.linear(mlp(i, "gate_proj", "weight"), inter, hidden),
              w.linear(mlp(i, "up_proj", "weight"), inter, hidden),
              w.linear(mlp(i, "down_proj", "weight"), hidden, inter),
              c.mlpBias() ? w.vector(mlp(i, "gate_proj", "bias"), inter) : null,
              c.mlpBias() ? w.vector(mlp(i, "up_proj", "bias"), inter) : null,
              c.mlpBias() ? w.vector(mlp(i, "down_proj", "bias"), hidden) : null);
    }
    float[] finalNorm = w.vector(LlamaNames.FINAL_NORM, hidden);
    WeightMatrix lmHead =
        c.tieWordEmbeddings() ? embeddings : w.linear(LlamaNames.LM_HEAD, c.vocabSize(), hidden);
    return new LlamaModel(c, compute, embeddings, List.of(layers), finalNorm, lmHead);
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public InferenceSession newSession(int maxTokens) {
    long cache = (long) maxTokens * config.numKeyValueHeads() * config.headDim();
    long scores = (long) maxTokens * config.numAttentionHeads();
    if (cache > Integer.MAX_VALUE - 8 || scores > Integer.MAX_VALUE - 8) {
      throw new dev.quant4j.error.ResourceLimitException(
          null,
          "max_tokens",
          "the KV cache of one layer would not fit a Java array",
          (Integer.MAX_VALUE - 8) + " floats",
          Math.max(cache, scores));
    }
    if (maxTokens < 1) {
      throw new ConfigException(
          null, "max_tokens", "a session holds at least one position", ">= 1", maxTokens);
    }
    return new LlamaSession(this, maxTokens);
  }

  @Override
  public long weightBytes() {
    long total = bytes(embeddings) + 4L * finalNorm.length;
    if (lmHead != embeddings) {
      total += bytes(lmHead);
    }
    for (LlamaLayer l : layers) {
      total += bytes(l.qProj()) + bytes(l.kProj()) + bytes(l.vProj()) + bytes(l.oProj());
      total += bytes(l.gateProj()) + bytes(l.upProj()) + bytes(l.downProj());
      total += 4L * (l.inputNorm().length + l.postAttentionNorm().length);
      for (float[] optional :
          new float[][] {
            l.qBias(),
            l.kBias(),
            l.vBias(),
            l.oBias(),
            l.qNorm(),
            l.kNorm(),
            l.gateBias(),
            l.upBias(),
            l.downBias()
          }) {
        total += optional == null ? 0 : 4L * optional.length;
      }
    }
    return total;
  }

  static long bytes(WeightMatrix m) {
    return m.storageBytes();
  }
}
