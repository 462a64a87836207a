package dev.quant4j.quantizers.configs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** JSON text to trees, and configs from JSON text, for the tests. */
final class Dicts {
  static final QuantizationMethods METHODS = QuantizationMethods.load();
  static final Path FILE = Path.of("test-config.json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Dicts() {}

  /** Plain Jackson: ints as IntNode and floats as DoubleNode, as Python's json reads them. */
  static ObjectNode obj(String json) {
    try {
      return (ObjectNode) MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static QuantizationConfig parse(String json) {
    return METHODS.parse(FILE, obj(json));
  }

  /** toDict, written and read again: the tree a reader of the saved config.json sees. */
  static ObjectNode reread(ObjectNode dict) {
    try {
      return obj(MAPPER.writeValueAsString(dict));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
