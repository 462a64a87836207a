package dev.quant4j.quantization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a config dict the way transformers saves one: keys sorted (config.json is written with
 * {@code sort_keys=True}), Python {@code None} as JSON null, unknown keys written back unchanged.
 * Not thread-safe; one per dict.
 */
public final class ConfigDict {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final TreeMap<String, JsonNode> entries = new TreeMap<>();

  private ConfigDict(String quantMethod) {
    entries.put("quant_method", NODES.textNode(quantMethod));
  }

  /** A dict holding {@code quant_method}. */
  public static ConfigDict of(String quantMethod) {
    return new ConfigDict(quantMethod);
  }

  public ConfigDict put(String key, int value) {
    return put(key, NODES.numberNode(value));
  }

  /** An integer or null. */
  public ConfigDict put(String key, Integer value) {
    return put(key, value == null ? NODES.nullNode() : NODES.numberNode(value));
  }

  /** A float or null; written as a double so that 6.0 stays {@code 6.0}, as Python writes it. */
  public ConfigDict put(String key, Double value) {
    return put(key, value == null ? NODES.nullNode() : NODES.numberNode(value));
  }

  public ConfigDict put(String key, boolean value) {
    return put(key, NODES.booleanNode(value));
  }

  public ConfigDict put(String key, String value) {
    return put(key, value == null ? NODES.nullNode() : NODES.textNode(value));
  }

  /** A list of strings or null. */
  public ConfigDict putStrings(String key, List<String> values) {
    if (values == null) {
      return put(key, NODES.nullNode());
    }
    ArrayNode array = NODES.arrayNode(values.size());
    values.forEach(array::add);
    return put(key, array);
  }

  /** A list of integers or null. */
  public ConfigDict putInts(String key, List<Integer> values) {
    if (values == null) {
      return put(key, NODES.nullNode());
    }
    ArrayNode array = NODES.arrayNode(values.size());
    values.forEach(array::add);
    return put(key, array);
  }

  /** Any JSON value (deep-copied, so the config's own nodes never leak); Java null is JSON null. */
  public ConfigDict put(String key, JsonNode value) {
    entries.put(key, value == null ? NODES.nullNode() : value.deepCopy());
    return this;
  }

  /** Writes back the keys the config did not know; a known key of the same name wins. */
  public ConfigDict unknown(Map<String, JsonNode> unknownKeys) {
    unknownKeys.forEach((k, v) -> entries.putIfAbsent(k, v.deepCopy()));
    return this;
  }

  public ObjectNode build() {
    ObjectNode node = NODES.objectNode();
    entries.forEach(node::set);
    return node;
  }

  /**
   * The keys of {@code full} whose value differs from {@code defaults} (or that {@code defaults}
   * lacks), plus {@code quant_method} and the {@code required} keys, as transformers' {@code
   * to_diff_dict()}.
   */
  public static ObjectNode diff(ObjectNode full, ObjectNode defaults, String... required) {
    Set<String> always = new HashSet<>(Arrays.asList(required));
    always.add("quant_method");
    ObjectNode diff = NODES.objectNode();
    for (Map.Entry<String, JsonNode> e : full.properties()) {
      String key = e.getKey();
      if (always.contains(key) || !Objects.equals(e.getValue(), defaults.get(key))) {
        diff.set(key, e.getValue().deepCopy());
      }
    }
    return diff;
  }
}
