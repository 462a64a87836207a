package dev.quant4j.quantizers.fp8;

import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A {@link TensorLookup} over tensors in memory, for the format tests. */
public final class MapLookup implements TensorLookup {
  private final Map<String, TensorView> tensors;
  private final Path source;

  public MapLookup(Map<String, TensorView> tensors, Path source) {
    this.tensors = new TreeMap<>(tensors);
    this.source = source;
  }

  /** Every tensor of an open checkpoint (views stay valid while it is open). */
  public static MapLookup of(Checkpoint checkpoint) {
    Map<String, TensorView> all = new TreeMap<>();
    for (String name : checkpoint.tensorNames()) {
      all.put(name, checkpoint.tensor(name));
    }
    return new MapLookup(all, checkpoint.source());
  }

  /** The tensors a weight writes, named under {@code module}, as a lookup. */
  public static MapLookup ofStored(String module, List<StoredTensor> stored) {
    Map<String, TensorView> all = new TreeMap<>();
    Path src = Path.of("memory");
    for (StoredTensor t : stored) {
      String name = module + "." + t.suffix();
      all.put(name, new TensorView(name, t.dtype(), t.shape(), t.data(), src));
    }
    return new MapLookup(all, src);
  }

  public MapLookup with(String name, TensorView t) {
    Map<String, TensorView> all = new TreeMap<>(tensors);
    all.put(name, t);
    return new MapLookup(all, source);
  }

  public MapLookup without(String name) {
    Map<String, TensorView> all = new TreeMap<>(tensors);
    all.remove(name);
    return new MapLookup(all, source);
  }

  @Override
  public Optional<TensorView> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  @Override
  public TensorView require(String name) {
    return find(name).orElseThrow(() -> new FormatException(source, name, "missing"));
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
