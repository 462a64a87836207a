package dev.quant4j.quantizers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The presets of CLI.md, read from {@code presets.json} beside this class (name to {@code
 * quantization_config}, in listing order) and validated by the methods' own parsers. Immutable.
 */
public final class Presets {
  private static final String RESOURCE = "presets.json";

  private final List<Preset> all;

  private Presets(List<Preset> all) {
    this.all = List.copyOf(all);
  }

  /** The presets, parsed with the methods on the class path. */
  public static Presets load() {
    return load(QuantizationMethods.load());
  }

  /**
   * The presets, parsed with {@code methods}.
   *
   * @throws dev.quant4j.error.ConfigException when a preset is invalid (a packaging bug)
   */
  public static Presets load(QuantizationMethods methods) {
    Path source = Path.of(RESOURCE);
    JsonNode root;
    try (InputStream in = Presets.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CheckpointIoException(source, "resource missing from the class path", null);
      }
      root = BoundedJson.CONFIG.parse(source, in.readAllBytes());
    } catch (IOException e) {
      throw new CheckpointIoException(source, "cannot read", e);
    }
    List<Preset> presets = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      Path where = Path.of(RESOURCE + "#" + e.getKey());
      presets.add(new Preset(e.getKey(), methods.parse(where, e.getValue())));
    }
    return new Presets(presets);
  }

  /** The config a preset name stands for. */
  public Optional<QuantizationConfig> find(String name) {
    return preset(name).map(Preset::config);
  }

  /** The preset of that name. */
  public Optional<Preset> preset(String name) {
    return all.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** Every preset, in listing order. */
  public List<Preset> all() {
    return all;
  }

  /** The preset names, in listing order. */
  public List<String> names() {
    return all.stream().map(Preset::name).toList();
  }
}
