package dev.quant4j.arch;

import dev.quant4j.config.ModelConfig;
import dev.quant4j.error.NotSupportedException;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** The architectures on the class path, found with {@link ServiceLoader}. Immutable. */
public final class Architectures {
  private final List<ArchitectureProvider> providers;

  private Architectures(List<ArchitectureProvider> providers) {
    this.providers = List.copyOf(providers);
  }

  public static Architectures load() {
    return load(Architectures.class.getClassLoader());
  }

  public static Architectures load(ClassLoader loader) {
    return new Architectures(
        ServiceLoader.load(ArchitectureProvider.class, loader).stream()
            .map(ServiceLoader.Provider::get)
            .toList());
  }

  /** The provider for the first of the config's {@code architectures} that one supports. */
  public ArchitectureProvider forConfig(ModelConfig config) {
    for (String name : config.architectures()) {
      Optional<ArchitectureProvider> p = find(name);
      if (p.isPresent()) {
        return p.get();
      }
    }
    throw new NotSupportedException(
        "architecture " + config.architectures() + " (supported: " + names() + ")");
  }

  public Optional<ArchitectureProvider> find(String architecture) {
    return providers.stream().filter(p -> p.architectureNames().contains(architecture)).findFirst();
  }

  public List<String> names() {
    TreeSet<String> all = new TreeSet<>();
    providers.forEach(p -> all.addAll(p.architectureNames()));
    return List.copyOf(all);
  }
}
