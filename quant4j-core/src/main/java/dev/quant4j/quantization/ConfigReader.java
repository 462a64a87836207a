package dev.quant4j.quantization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a {@code quantization_config} dict with typed getters that check JSON types (a boolean must
 * be a JSON boolean, a number a JSON number) and name the key in their errors. It remembers the
 * keys read, so that {@link #unknown()} returns the rest, to be kept and written back. Value rules
 * (allowed sets, ranges) live in the configs' constructors through {@link ConfigChecks}, so that
 * configs built in code are checked exactly like parsed ones. Not thread-safe; one per dict.
 */
public final class ConfigReader {
  private final Path file;
  private final ObjectNode dict;
  private final String prefix;
  private final Set<String> read = new HashSet<>();

  public ConfigReader(Path file, ObjectNode dict) {
    this(file, dict, "");
    read.add("quant_method");
  }

  private ConfigReader(Path file, ObjectNode dict, String prefix) {
    this.file = file;
    this.dict = dict;
    this.prefix = prefix;
  }

  /**
   * A reader of the object under {@code key}, whose errors name the full path ({@code
   * quant_config.weight_quant_params.nbits}); null when the key is missing or null.
   */
  public ConfigReader nested(String key) {
    ObjectNode child = optObject(key, null);
    return child == null ? null : new ConfigReader(file, child, prefix + key + ".");
  }

  /** Like {@link #nested(String)}, for an object that must be there. */
  public ConfigReader required(String key) {
    ConfigReader child = nested(key);
    if (child == null) {
      throw error(key, "required", "a JSON object", dict.has(key) ? "null" : "absent");
    }
    return child;
  }

  /** A reader of a nested object the caller already has, named {@code path} in errors. */
  public ConfigReader nested(String path, ObjectNode child) {
    return new ConfigReader(file, child, prefix + path + ".");
  }

  /** The file named in errors (may be null). */
  public Path file() {
    return file;
  }

  /** Whether the key is present, even with a null value. */
  public boolean has(String key) {
    return dict.has(key);
  }

  /** Marks keys as known without reading them (keys transformers accepts and ignores). */
  public void ignore(String... keys) {
    Collections.addAll(read, keys);
  }

  /** The raw value, or null when the key is missing or JSON null. */
  public JsonNode node(String key) {
    read.add(key);
    JsonNode n = dict.get(key);
    return n == null || n.isNull() ? null : n;
  }

  /** An integer that may not be null; {@code def} when missing. */
  public int integer(String key, int def) {
    Integer v = optInteger(key, def);
    if (v == null) {
      throw error(key, "must be an integer", "an integer", "null");
    }
    return v;
  }

  /** An integer or null; {@code def} when missing. */
  public Integer optInteger(String key, Integer def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    return n == null ? null : toInt(key, n);
  }

  /** A number (an integer is accepted, as Python accepts 6 for 6.0); {@code def} when missing. */
  public double number(String key, double def) {
    Double v = optNumber(key, def);
    if (v == null) {
      throw error(key, "must be a number", "a number", "null");
    }
    return v;
  }

  /** A number or null; {@code def} when missing. */
  public Double optNumber(String key, Double def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    if (n == null) {
      return null;
    }
    if (!n.isNumber()) {
      throw error(key, "must be a number", "a number", n);
    }
    return n.doubleValue();
  }

  /** A JSON boolean (not 0/1, not "true"); {@code def} when missing. */
  public boolean bool(String key, boolean def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    if (n == null || !n.isBoolean()) {
      throw error(key, "must be a boolean", "true or false", n == null ? "null" : n);
    }
    return n.booleanValue();
  }

  /** A string or null; {@code def} when missing. */
  public String optString(String key, String def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw error(key, "must be a string", "a string", n);
    }
    return n.textValue();
  }

  /** A list of strings or null; {@code def} when missing. */
  public List<String> optStrings(String key, List<String> def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    if (n == null) {
      return null;
    }
    if (!n.isArray()) {
      throw error(key, "must be a list of strings", "a list of strings", n);
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode item : n) {
      if (!item.isTextual()) {
        throw error(key, "must be a list of strings", "strings only", item);
      }
      out.add(item.textValue());
    }
    return List.copyOf(out);
  }

  /** A list of integers or null; {@code def} when missing. */
  public List<Integer> optInts(String key, List<Integer> def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    if (n == null) {
      return null;
    }
    if (!n.isArray()) {
      throw error(key, "must be a list of integers", "a list of integers", n);
    }
    List<Integer> out = new ArrayList<>(n.size());
    for (JsonNode item : n) {
      out.add(toInt(key, item));
    }
    return List.copyOf(out);
  }

  /** A JSON object or null; {@code def} when missing. The node is a copy. */
  public ObjectNode optObject(String key, ObjectNode def) {
    if (!dict.has(key)) {
      read.add(key);
      return def;
    }
    JsonNode n = node(key);
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      throw error(key, "must be a JSON object", "an object", n);
    }
    return ((ObjectNode) n).deepCopy();
  }

  /** The keys not read, in the order of the source, to be written back unchanged. */
  public Map<String, JsonNode> unknown() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : dict.properties()) {
      if (!read.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue().deepCopy());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Runs a config constructor, whose checks know neither the file nor where the object sits in the
   * dict, and adds both to their errors ({@code config_groups.g.weights.num_bits}).
   */
  public <T> T build(Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (ConfigException e) {
      // An error that already went through a reader has its context; wrapping it again would
      // prefix the key twice.
      if (e.getCause() instanceof ConfigException || (file == null && prefix.isEmpty())) {
        throw e;
      }
      throw ConfigChecks.inContext(file, prefix, e);
    }
  }

  /** An error about a key of this dict. */
  public ConfigException error(String key, String problem, Object expected, Object actual) {
    return new ConfigException(file, prefix + key, problem, expected, actual);
  }

  private int toInt(String key, JsonNode n) {
    if (n.isNumber() && n.canConvertToExactIntegral() && n.canConvertToInt()) {
      return n.intValue();
    }
    throw error(key, "must be an integer", "an integer", n);
  }
}
