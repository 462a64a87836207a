package dev.quant4j.arch;

import dev.quant4j.config.ModelConfig;
import java.util.List;
import java.util.Set;

/**
 * A family of models, found with {@link java.util.ServiceLoader} by the names that config.json's
 * {@code architectures} lists (for example {@code LlamaForCausalLM}).
 */
public interface ArchitectureProvider {
  /** The {@code architectures} names this provider builds. */
  Set<String> architectureNames();

  /**
   * The linear layers of the model, by the name of their weight, in load order; the candidates a
   * quantizer converts (before its own exclusions such as the output head).
   */
  List<String> linearWeightNames(ModelConfig config);

  /**
   * The tensor that holds the output head ({@code lm_head.weight}, or the embeddings when tied).
   */
  String outputHeadWeightName(ModelConfig config);

  /** Builds the model; every weight is requested from {@code weights} once. */
  CausalLmModel build(ModelConfig config, WeightSource weights, Compute compute);
}
