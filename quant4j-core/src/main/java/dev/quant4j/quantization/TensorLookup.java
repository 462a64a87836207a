package dev.quant4j.quantization;

import dev.quant4j.tensor.TensorView;
import java.util.Optional;
import java.util.Set;

/** The tensors of a checkpoint by name, for assembling pre-quantized weights. */
public interface TensorLookup {
  /** The tensor, or empty when the checkpoint has none of that name. */
  Optional<TensorView> find(String name);

  /** The tensor, or a {@link dev.quant4j.error.FormatException} naming it and the checkpoint. */
  TensorView require(String name);

  /** The names of the checkpoint's tensors that start with {@code prefix}, sorted. */
  Set<String> namesStartingWith(String prefix);

  /** The file or folder the tensors come from, for error messages. */
  java.nio.file.Path source();
}
