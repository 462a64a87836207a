package dev.quant4j.quantizers;

import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves a CLI.md {@code SPEC}: a preset name, else the path of a JSON file holding a {@code
 * quantization_config} object. Shared by the CLI and library users. Immutable.
 */
public final class QuantizationSpecs {
  private final QuantizationMethods methods;
  private final Presets presets;

  public QuantizationSpecs(QuantizationMethods methods, Presets presets) {
    this.methods = methods;
    this.presets = presets;
  }

  /** With the methods and presets on the class path. */
  public static QuantizationSpecs load() {
    QuantizationMethods methods = QuantizationMethods.load();
    return new QuantizationSpecs(methods, Presets.load(methods));
  }

  public QuantizationMethods methods() {
    return methods;
  }

  public Presets presets() {
    return presets;
  }

  /**
   * The config a spec stands for.
   *
   * @throws ConfigException when the spec is neither a preset nor a file, or the file's config is
   *     invalid (naming the key)
   * @throws dev.quant4j.error.CheckpointIoException when the file cannot be read
   */
  public QuantizationConfig resolve(String spec) {
    Optional<QuantizationConfig> preset = presets.find(spec);
    if (preset.isPresent()) {
      return preset.get();
    }
    Path file = asFile(spec);
    if (file == null || !Files.isRegularFile(file)) {
      throw new ConfigException(
          null,
          null,
          "unknown quantization spec \"" + spec + "\": neither a preset nor a file",
          "a preset name (see `quant4j presets`) or a JSON file",
          spec);
    }
    return parseFile(file);
  }

  /** Reads and validates a {@code quantization_config} JSON file. */
  public QuantizationConfig parseFile(Path file) {
    return methods.parse(file, BoundedJson.CONFIG.read(file));
  }

  private static Path asFile(String spec) {
    try {
      return Path.of(spec);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
