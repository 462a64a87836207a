package dev.quant4j.quantization;

import dev.quant4j.error.ConfigException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Value rules shared by the configs' constructors. They throw {@link ConfigException} without a
 * file; {@link ConfigReader#build} adds it when the config came from one.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  /** Fails with "key: problem (expected .., actual ..)" unless {@code ok}. */
  public static void require(
      boolean ok, String key, String problem, Object expected, Object actual) {
    if (!ok) {
      throw new ConfigException(null, key, problem, expected, actual);
    }
  }

  /** The value must be one of {@code allowed}; the message lists them. */
  public static String oneOf(String key, String problem, String value, Collection<String> allowed) {
    require(
        value != null && allowed.contains(value), key, problem, "one of " + allowed, quoted(value));
    return value;
  }

  /** The integer must be one of {@code allowed}; the message lists them. */
  public static int oneOf(String key, String problem, int value, int... allowed) {
    boolean ok = Arrays.stream(allowed).anyMatch(a -> a == value);
    require(ok, key, problem, "one of " + Arrays.toString(allowed), value);
    return value;
  }

  /** The integer must be positive. */
  public static int positive(String key, int value) {
    require(value > 0, key, "must be positive", "> 0", value);
    return value;
  }

  /** A defensive immutable copy of a nullable list. */
  public static <T> List<T> copyOrNull(List<T> list) {
    return list == null ? null : List.copyOf(list);
  }

  /** A string as Python's repr shows it in messages, or null. */
  public static String quoted(String value) {
    return value == null ? "null" : '"' + value + '"';
  }

  /**
   * The same error naming {@code file}, its key under {@code prefix}. The message already starts
   * with "key: ", which the constructor adds again, so the key is taken off first.
   */
  static ConfigException inContext(Path file, String prefix, ConfigException e) {
    String message = e.getMessage();
    String key = e.key();
    String problem =
        key != null && message.startsWith(key + ": ")
            ? message.substring(key.length() + 2)
            : message;
    return new ConfigException(file, key == null ? null : prefix + key, problem, e);
  }
}
