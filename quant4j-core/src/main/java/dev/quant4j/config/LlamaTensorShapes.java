package dev.quant4j.config;

import dev.quant4j.error.FormatException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The tensor names and logical shapes of a Llama-family checkpoint (transformers' module names,
 * weights as {@code [out_features, in_features]}).
 */
final class LlamaTensorShapes {
  static final String LM_HEAD = "lm_head.weight";

  private LlamaTensorShapes() {}

  static Map<String, long[]> expected(ModelConfig c) {
    long hidden = c.hiddenSize();
    long qDim = (long) c.numAttentionHeads() * c.headDim();
    long kvDim = (long) c.numKeyValueHeads() * c.headDim();
    long inter = c.intermediateSize();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("model.embed_tokens.weight", new long[] {c.vocabSize(), hidden});
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      shapes.put(p + "input_layernorm.weight", new long[] {hidden});
      linear(shapes, p + "self_attn.q_proj", qDim, hidden, c.qkvBias());
      linear(shapes, p + "self_attn.k_proj", kvDim, hidden, c.qkvBias());
      linear(shapes, p + "self_attn.v_proj", kvDim, hidden, c.qkvBias());
      linear(shapes, p + "self_attn.o_proj", hidden, qDim, c.attentionOutputBias());
      if (c.qkNorm()) {
        shapes.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
        shapes.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
      }
      shapes.put(p + "post_attention_layernorm.weight", new long[] {hidden});
      linear(shapes, p + "mlp.gate_proj", inter, hidden, c.mlpBias());
      linear(shapes, p + "mlp.up_proj", inter, hidden, c.mlpBias());
      linear(shapes, p + "mlp.down_proj", hidden, inter, c.mlpBias());
    }
    shapes.put("model.norm.weight", new long[] {hidden});
    if (!c.tieWordEmbeddings()) {
      shapes.put(LM_HEAD, new long[] {c.vocabSize(), hidden});
    }
    return Collections.unmodifiableMap(shapes);
  }

  static void check(ModelConfig c, Path file, Function<String, long[]> stored) {
    for (Map.Entry<String, long[]> e : expected(c).entrySet()) {
      long[] actual = stored.apply(e.getKey());
      if (actual == null) {
        if (e.getKey().equals(LM_HEAD)) {
          throw new FormatException(
              file,
              LM_HEAD,
              "missing while config.json says tie_word_embeddings: false"
                  + " (refusing to run with a random head)",
              Arrays.toString(e.getValue()),
              "absent");
        }
        throw new FormatException(
            file, e.getKey(), "tensor missing", Arrays.toString(e.getValue()), "absent");
      }
      if (!Arrays.equals(actual, e.getValue())) {
        throw new FormatException(
            file,
            e.getKey(),
            "shape does not match config.json",
            Arrays.toString(e.getValue()),
            Arrays.toString(actual));
      }
    }
  }

  private static void linear(
      Map<String, long[]> shapes, String module, long out, long in, boolean bias) {
    shapes.put(module + ".weight", new long[] {out, in});
    if (bias) {
      shapes.put(module + ".bias", new long[] {out});
    }
  }
}
