package dev.quant4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A JSON node of tokenizer.json that knows where it sits ({@code pre_tokenizer.pretokenizers[0]}),
 * so that every error names the file and the full key.
 */
record ConfigNode(Path file, String key, JsonNode node) {

  ConfigNode field(String name) {
    return new ConfigNode(file, key + "." + name, node.path(name));
  }

  ConfigNode element(int index) {
    return new ConfigNode(file, key + "[" + index + "]", node.path(index));
  }

  boolean isPresent() {
    return !node.isMissingNode() && !node.isNull();
  }

  /** The {@code type} field that selects a component's implementation. */
  String type() {
    return field("type").string();
  }

  String string() {
    if (!node.isTextual()) {
      throw wrongType("a string");
    }
    return node.textValue();
  }

  String string(String name) {
    return field(name).string();
  }

  Optional<String> optionalString(String name) {
    ConfigNode f = field(name);
    return f.isPresent() ? Optional.of(f.string()) : Optional.empty();
  }

  boolean bool(String name, boolean absent) {
    ConfigNode f = field(name);
    if (!f.isPresent()) {
      return absent;
    }
    if (!f.node.isBoolean()) {
      throw f.wrongType("a boolean");
    }
    return f.node.booleanValue();
  }

  int integer(int min, int max) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw wrongType("an integer");
    }
    int v = node.intValue();
    if (v < min || v > max) {
      throw new ConfigException(file, key, "out of range", min + ".." + max, v);
    }
    return v;
  }

  int integer(String name, int min, int max, int absent) {
    ConfigNode f = field(name);
    return f.isPresent() ? f.integer(min, max) : absent;
  }

  /** The elements of a required array. */
  int arraySize() {
    if (!node.isArray()) {
      throw wrongType("an array");
    }
    return node.size();
  }

  void requireObject() {
    if (!node.isObject()) {
      throw wrongType("an object");
    }
  }

  ConfigException wrongType(String expected) {
    return new ConfigException(file, key, "wrong type", expected, describe(node));
  }

  ConfigException invalid(String problem) {
    return new ConfigException(file, key, problem);
  }

  NotSupportedException unsupported(String kind, String value) {
    return new NotSupportedException(file, kind + " '" + value + "' at " + key);
  }

  private static String describe(JsonNode n) {
    if (n.isMissingNode()) {
      return "missing";
    }
    String s = n.toString();
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + (s.length() > 60 ? s.substring(0, 60) + "..." : s);
  }
}
