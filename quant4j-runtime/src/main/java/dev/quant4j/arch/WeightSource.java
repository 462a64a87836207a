package dev.quant4j.arch;

import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.WeightMatrix;

/**
 * Where an architecture gets its parameters while it builds itself, by transformers' parameter
 * names. The loader decides what stands behind a name: a view of the memory map, or a weight the
 * quantizer packed while the shard was read.
 */
public interface WeightSource {
  /**
   * The weight of a linear layer ({@code model.layers.0.self_attn.q_proj.weight}), in whatever
   * layout the quantization plan gave it, checked to be {@code rows x cols}.
   */
  WeightMatrix linear(String name, int rows, int cols);

  /** An unquantized 2-D tensor (the embeddings), checked to be {@code rows x cols}. */
  DenseMatrix dense(String name, int rows, int cols);

  /**
   * A small 1-D tensor (a norm's weight, a bias) widened to float, checked to hold {@code n}
   * values.
   */
  float[] vector(String name, int n);
}
