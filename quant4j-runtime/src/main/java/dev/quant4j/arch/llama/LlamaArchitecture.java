package dev.quant4j.arch.llama;

import dev.quant4j.arch.ArchitectureProvider;
import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.Compute;
import dev.quant4j.arch.WeightSource;
import dev.quant4j.config.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The provider of the Llama family: Llama, Mistral, Qwen2 and Qwen3 causal LMs. */
public final class LlamaArchitecture implements ArchitectureProvider {
  @Override
  public Set<String> architectureNames() {
    return Set.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM");
  }

  @Override
  public List<String> linearWeightNames(ModelConfig config) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      for (String p : LlamaNames.ATTENTION_PROJECTIONS) {
        names.add(LlamaNames.attention(i, p, "weight"));
      }
      for (String p : LlamaNames.MLP_PROJECTIONS) {
        names.add(LlamaNames.mlp(i, p, "weight"));
      }
    }
    if (!config.tieWordEmbeddings()) {
      names.add(LlamaNames.LM_HEAD);
    }
    return names;
  }

  @Override
  public String outputHeadWeightName(ModelConfig config) {
    return config.tieWordEmbeddings() ? LlamaNames.EMBEDDINGS : LlamaNames.LM_HEAD;
  }

  @Override
  public CausalLmModel build(ModelConfig config, WeightSource weights, Compute compute) {
    return LlamaModel.build(config, weights, compute);
  }
}
