package dev.quant4j.quantizers.compressed;

import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** A checkpoint held in memory, for loading modules without a model around them. */
final class MapLookup implements TensorLookup {
  static final Path FILE = Path.of("model.safetensors");

  final Map<String, TensorView> tensors = new TreeMap<>();

  MapLookup() {}

  MapLookup(Map<String, TensorView> tensors) {
    this.tensors.putAll(tensors);
  }

  /** The stored tensors of a weight under module {@code prefix}. */
  static MapLookup of(String prefix, List<StoredTensor> stored) {
    MapLookup m = new MapLookup();
    for (StoredTensor t : stored) {
      m.put(prefix + "." + t.suffix(), t);
    }
    return m;
  }

  void put(String name, StoredTensor t) {
    tensors.put(name, new TensorView(name, t.dtype(), t.shape(), t.data(), FILE));
  }

  @Override
  public Optional<TensorView> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  @Override
  public TensorView require(String name) {
    return find(name).orElseThrow(() -> new FormatException(FILE, name, "missing tensor"));
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
    return FILE;
  }
}
