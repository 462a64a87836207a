package dev.quant4j.quantization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The methods found on the class path, keyed by {@code quant_method}. An immutable value: load one
 * and pass it around (there is no global registry to mutate).
 */
public final class QuantizationMethods {
  private final Map<String, QuantizationMethod> byName;

  private QuantizationMethods(Map<String, QuantizationMethod> byName) {
    this.byName = byName;
  }

  /** The providers visible to this class's class loader. */
  public static QuantizationMethods load() {
    return load(QuantizationMethods.class.getClassLoader());
  }

  /**
   * The providers visible to {@code loader}.
   *
   * @throws ConfigException when two providers claim the same {@code quant_method}
   */
  public static QuantizationMethods load(ClassLoader loader) {
    Map<String, QuantizationMethod> byName = new TreeMap<>();
    for (QuantizationMethod m : ServiceLoader.load(QuantizationMethod.class, loader)) {
      QuantizationMethod previous = byName.putIfAbsent(m.quantMethod(), m);
      if (previous != null) {
        throw new ConfigException(
            null,
            "quant_method",
            "two providers claim the same method",
            "one provider",
            previous.getClass().getName() + " and " + m.getClass().getName());
      }
    }
    return new QuantizationMethods(Map.copyOf(byName));
  }

  /** The provider of a {@code quant_method}. */
  public Optional<QuantizationMethod> find(String quantMethod) {
    return Optional.ofNullable(byName.get(quantMethod));
  }

  /** Every provider, sorted by {@code quant_method}. */
  public List<QuantizationMethod> all() {
    return new TreeMap<>(byName).values().stream().toList();
  }

  /** The supported {@code quant_method} names, sorted. */
  public List<String> names() {
    return byName.keySet().stream().sorted().toList();
  }

  /**
   * The config of a pre-quantized folder that says its method in files other than config.json
   * ({@link QuantizationMethod#detectPrequantized}), or empty.
   *
   * @throws ConfigException when two methods claim the folder
   */
  public Optional<QuantizationConfig> detectPrequantized(Path dir) {
    Optional<QuantizationConfig> found = Optional.empty();
    for (QuantizationMethod m : all()) {
      Optional<QuantizationConfig> c = m.detectPrequantized(dir);
      if (c.isPresent() && found.isPresent()) {
        throw new ConfigException(
            dir,
            null,
            "two quantization methods claim this folder",
            "one method",
            found.get().quantMethod() + " and " + c.get().quantMethod());
      }
      found = c.isPresent() ? c : found;
    }
    return found;
  }

  /**
   * Parses and validates a {@code quantization_config} object.
   *
   * @param file the file it came from, named in errors (may be null)
   * @throws ConfigException when it is not an object, or {@code quant_method} is missing or unknown
   *     (the message lists the supported methods), or a value is invalid
   */
  public QuantizationConfig parse(Path file, JsonNode quantizationConfig) {
    if (quantizationConfig == null || !quantizationConfig.isObject()) {
      throw new ConfigException(
          file,
          null,
          "quantization_config must be a JSON object",
          "an object",
          quantizationConfig == null ? "nothing" : quantizationConfig.getNodeType());
    }
    ObjectNode dict = (ObjectNode) quantizationConfig;
    String name = methodName(file, dict);
    QuantizationMethod method = byName.get(name);
    if (method == null) {
      throw new ConfigException(
          file,
          "quant_method",
          "unknown quantization method",
          "one of " + names(),
          ConfigChecks.quoted(name));
    }
    return method.fromDict(file, dict);
  }

  private String methodName(Path file, ObjectNode dict) {
    JsonNode node = dict.get("quant_method");
    if (node == null || node.isNull()) {
      // transformers dispatches on the bnb flags alone when they are set, so old bitsandbytes
      // configs without quant_method still load.
      if (isTrue(dict, "load_in_4bit") || isTrue(dict, "load_in_8bit")) {
        return "bitsandbytes";
      }
      throw new ConfigException(
          file, "quant_method", "missing", "one of " + names(), node == null ? "absent" : "null");
    }
    if (!node.isTextual()) {
      throw new ConfigException(
          file, "quant_method", "must be a string", "one of " + names(), node);
    }
    return node.textValue();
  }

  private static boolean isTrue(ObjectNode dict, String key) {
    JsonNode n = dict.get(key);
    return n != null && n.isBoolean() && n.booleanValue();
  }
}
