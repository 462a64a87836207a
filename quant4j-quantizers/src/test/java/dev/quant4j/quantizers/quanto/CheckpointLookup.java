package dev.quant4j.quantizers.quanto;

import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** A {@link TensorLookup} over an open checkpoint, for reading modules outside the loader. */
record CheckpointLookup(Checkpoint checkpoint) implements TensorLookup {
  @Override
  public Optional<TensorView> find(String name) {
    return checkpoint.tensorNames().contains(name)
        ? Optional.of(checkpoint.tensor(name))
        : Optional.empty();
  }

  @Override
  public TensorView require(String name) {
    return find(name).orElseThrow(() -> new FormatException(source(), name, "missing tensor"));
  }

  @Override
  public Set<String> namesStartingWith(String prefix) {
    Set<String> out = new TreeSet<>();
    for (String n : checkpoint.tensorNames()) {
      if (n.startsWith(prefix)) {
        out.add(n);
      }
    }
    return out;
  }

  @Override
  public Path source() {
    return checkpoint.source();
  }
}
