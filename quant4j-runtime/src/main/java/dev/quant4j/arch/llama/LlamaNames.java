package dev.quant4j.arch.llama;

/** transformers' parameter names of the Llama family, in one place. */
final class LlamaNames {
  static final String EMBEDDINGS = "model.embed_tokens.weight";
  static final String FINAL_NORM = "model.norm.weight";
  static final String LM_HEAD = "lm_head.weight";
  static final String[] ATTENTION_PROJECTIONS = {"q_proj", "k_proj", "v_proj", "o_proj"};
  static final String[] MLP_PROJECTIONS = {"gate_proj", "up_proj", "down_proj"};

  private LlamaNames() {}

  static String layer(int i) {
    return "model.layers." + i + ".";
  }

  static String attention(int layer, String projection, String param) {
    return layer(layer) + "self_attn." + projection + "." + param;
  }

  static String mlp(int layer, String projection, String param) {
    return layer(layer) + "mlp." + projection + "." + param;
  }
}
