package dev.quant4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed, bounded access to the keys of one JSON object. Every failure is a {@link ConfigException}
 * naming the file and the key with the expected and actual values. A JSON {@code null} counts as
 * absent, as transformers writes {@code null} for unset options. Numbers arrive as BigInteger and
 * BigDecimal (see {@link dev.quant4j.json.BoundedJson}), so bounds are checked before any
 * narrowing: a vocabulary of 2^40 is reported as such, never wrapped into a small int.
 */
record JsonFields(Path file, String prefix, ObjectNode node) {

  /** Wraps {@code node}, which must be a JSON object; {@code what} names it in the error. */
  static JsonFields of(Path file, String prefix, JsonNode node, String what) {
    if (node == null || !node.isObject()) {
      throw new ConfigException(
          file,
          prefix.isEmpty() ? null : prefix,
          what + " must be a JSON object",
          "object",
          kind(node));
    }
    return new JsonFields(file, prefix, (ObjectNode) node);
  }

  String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  boolean has(String name) {
    JsonNode v = node.get(name);
    return v != null && !v.isNull();
  }

  JsonNode get(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  int requireInt(String name, long min, long max) {
    if (!has(name)) {
      throw new ConfigException(file, key(name), "required key is missing", "an integer", "absent");
    }
    return toInt(name, get(name), min, max);
  }

  int intOr(String name, int fallback, long min, long max) {
    return has(name) ? toInt(name, get(name), min, max) : fallback;
  }

  OptionalInt optInt(String name, long min, long max) {
    return has(name) ? OptionalInt.of(toInt(name, get(name), min, max)) : OptionalInt.empty();
  }

  /** An int or a list of ints (transformers' {@code eos_token_id}); absent gives an empty list. */
  List<Integer> intOrIntList(String name, long min, long max) {
    JsonNode v = get(name);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      return List.of(toInt(name, v, min, max));
    }
    List<Integer> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      out.add(toInt(name + "[" + i + "]", v.get(i), min, max));
    }
    return List.copyOf(out);
  }

  double doubleOr(String name, double fallback) {
    return has(name) ? toDouble(name, get(name)) : fallback;
  }

  OptionalDouble optDouble(String name) {
    return has(name) ? OptionalDouble.of(toDouble(name, get(name))) : OptionalDouble.empty();
  }

  boolean boolOr(String name, boolean fallback) {
    JsonNode v = get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new ConfigException(file, key(name), "wrong type", "true or false", kind(v));
    }
    return v.booleanValue();
  }

  Optional<Boolean> optBool(String name) {
    return has(name) ? Optional.of(boolOr(name, false)) : Optional.empty();
  }

  Optional<String> optString(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new ConfigException(file, key(name), "wrong type", "a string", kind(v));
    }
    return Optional.of(v.textValue());
  }

  List<String> stringList(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new ConfigException(file, key(name), "wrong type", "a list of strings", kind(v));
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        throw new ConfigException(
            file, key(name) + "[" + i + "]", "wrong type", "a string", kind(e));
      }
      out.add(e.textValue());
    }
    return List.copyOf(out);
  }

  Optional<ObjectNode> optObject(String name) {
    JsonNode v = get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isObject()) {
      throw new ConfigException(file, key(name), "wrong type", "a JSON object", kind(v));
    }
    return Optional.of((ObjectNode) v);
  }

  ConfigException error(String name, String problem, Object expected, Object actual) {
    return new ConfigException(file, key(name), problem, expected, actual);
  }

  private int toInt(String name, JsonNode v, long min, long max) {
    if (!v.isNumber()) {
      throw new ConfigException(file, key(name), "wrong type", "an integer", kind(v));
    }
    BigInteger value;
    if (v.isIntegralNumber()) {
      value = v.bigIntegerValue();
    } else {
      // transformers writes some integers through float arithmetic (e.g. 4096.0): accept exact
      // ones.
      BigDecimal d = v.decimalValue().stripTrailingZeros();
      if (d.scale() > 0) {
        throw new ConfigException(file, key(name), "not an integer", "an integer", v.asText());
      }
      // 1e999999999 would expand to a billion digits: compare magnitudes before converting.
      if (d.precision() - d.scale() > 19) {
        throw new ConfigException(
            file, key(name), "out of range", "between " + min + " and " + max, v.asText());
      }
      value = d.toBigIntegerExact();
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0
        || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new ConfigException(
          file, key(name), "out of range", "between " + min + " and " + max, value);
    }
    return value.intValueExact();
  }

  private double toDouble(String name, JsonNode v) {
    if (!v.isNumber()) {
      throw new ConfigException(file, key(name), "wrong type", "a number", kind(v));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw new ConfigException(
          file, key(name), "not a finite double", "a finite number", v.asText());
    }
    return d;
  }

  static String kind(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "absent";
    }
    return switch (v.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "a list";
      case STRING -> "the string \"" + abbreviate(v.textValue()) + "\"";
      case NUMBER -> "the number " + v.asText();
      case BOOLEAN -> v.asText();
      case NULL -> "null";
      default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
