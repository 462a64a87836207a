package dev.quant4j.quantizers.testing;

import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link TensorLookup} over tensors in memory, for the methods' format and golden tests: the
 * tensors of an open checkpoint or file (views stay valid while it is open) or those a weight
 * writes. {@link #put} and {@link #remove} edit this lookup (to build a broken checkpoint in
 * place); {@link #with} and {@link #without} leave it as it is and return an edited copy.
 */
public final class MapLookup implements TensorLookup {
  /** The source named in errors by lookups over tensors that live in memory. */
  public static final Path MEMORY = Path.of("memory");

  private final Map<String, TensorView> tensors;
  private final Path source;

  public MapLookup(Map<String, TensorView> tensors, Path source) {
    this.tensors = new TreeMap<>(tensors);
    this.source = source;
  }

  /** Every tensor of an open checkpoint. */
  public static MapLookup of(Checkpoint checkpoint) {
    MapLookup l = new MapLookup(Map.of(), checkpoint.source());
    checkpoint.tensorNames().forEach(n -> l.tensors.put(n, checkpoint.tensor(n)));
    return l;
  }

  /** Every tensor of an open safetensors file. */
  public static MapLookup of(SafetensorsFile file) {
    MapLookup l = new MapLookup(Map.of(), file.path());
    file.tensors().forEach(t -> l.tensors.put(t.name(), file.tensor(t.name())));
    return l;
  }

  /** The tensors a weight writes, named under {@code module}. */
  public static MapLookup ofStored(String module, List<StoredTensor> stored) {
    MapLookup l = new MapLookup(Map.of(), MEMORY);
    for (StoredTensor t : stored) {
      l.put(module + "." + t.suffix(), t);
    }
    return l;
  }

  /** Adds or replaces a tensor in this lookup. */
  public MapLookup put(String name, TensorView t) {
    tensors.put(name, t);
    return this;
  }

  /** Adds or replaces a tensor in this lookup, from its stored form. */
  public MapLookup put(String name, StoredTensor t) {
    return put(name, new TensorView(name, t.dtype(), t.shape(), t.data(), source));
  }

  /** Removes a tensor from this lookup. */
  public MapLookup remove(String name) {
    tensors.remove(name);
    return this;
  }

  /** A copy with {@code t} under {@code name}. */
  public MapLookup with(String name, TensorView t) {
    return new MapLookup(tensors, source).put(name, t);
  }

  /** A copy without {@code name}. */
  public MapLookup without(String name) {
    return new MapLookup(tensors, source).remove(name);
  }

  @Override
  public Optional<TensorView> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  @Override
  public TensorView require(String name) {
    return find(name).orElseThrow(() -> new FormatException(source, name, "missing tensor"));
  }

  @Override
  public Set<String> namesStartingWith(String prefix) {
    Set<String> out = new TreeSet<>();
    for (String n : tensors.keySet()) {
      if (n.startsWith(prefix)) {
        out.add(n);
      }
    }
    return out;
  }

  @Override
  public Path source() {
    return source;
  }
}
