package dev.quant4j.quantizers.hqq;

import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Tensors by name for the tests: from a safetensors file or a module's stored tensors. */
final class MapLookup implements TensorLookup {
  private final Map<String, TensorView> tensors = new TreeMap<>();
  private final Path source;

  MapLookup(Path source) {
    this.source = source;
  }

  static MapLookup of(SafetensorsFile file) {
    MapLookup l = new MapLookup(file.path());
    file.tensors().forEach(t -> l.tensors.put(t.name(), file.tensor(t.name())));
    return l;
  }

  static MapLookup of(String prefix, List<StoredTensor> stored) {
    MapLookup l = new MapLookup(Path.of("memory"));
    for (StoredTensor t : stored) {
      l.put(prefix + "." + t.suffix(), t);
    }
    return l;
  }

  MapLookup put(String name, StoredTensor t) {
    tensors.put(name, new TensorView(name, t.dtype(), t.shape(), t.data(), source));
    return this;
  }

  MapLookup remove(String name) {
    tensors.remove(name);
    return this;
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
    tensors.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(out::add);
    return out;
  }

  @Override
  public Path source() {
    return source;
  }
}
