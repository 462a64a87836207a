package dev.quant4j.quantization;

import dev.quant4j.tensor.TensorView;
import java.util.Optional;

/** The tensors of a checkpoint by name, for assembling pre-quantized weights. */
public interface TensorLookup {
  /** The tensor, or empty when the checkpoint has none of that name. */
  Optional<TensorView> find(String name);

  /** The tensor, or a {@link dev.quant4j.error.FormatException} naming it and the checkpoint. */
  TensorView require(String name);
}
