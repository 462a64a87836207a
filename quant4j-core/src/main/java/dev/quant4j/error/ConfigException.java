package dev.quant4j.error;

import java.nio.file.Path;

/**
 * A configuration (config.json, generation_config.json, a quantization_config, load options) is
 * invalid: the message names the key and says what values are allowed.
 */
public final class ConfigException extends Quant4jException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigException(Path file, String key, String problem) {
    this(file, key, problem, null, null);
  }

  public ConfigException(Path file, String key, String problem, Object expected, Object actual) {
    super(file, describe(key, problem, expected, actual), null);
    this.key = key;
  }

  public ConfigException(Path file, String key, String problem, Throwable cause) {
    super(file, describe(key, problem, null, null), cause);
    this.key = key;
  }

  /** The key the problem is about, or null when it concerns the whole document. */
  public String key() {
    return key;
  }
}
