package dev.quant4j.quantizers.configs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Support;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A method registered only by src/test/resources/META-INF/services: the registry must find it
 * without any change to its code.
 */
public final class TestOnlyMethod implements QuantizationMethod {
  static final String NAME = "test-only";

  record Config(int level, Map<String, JsonNode> unknownKeys) implements QuantizationConfig {
    @Override
    public String quantMethod() {
      return NAME;
    }

    @Override
    public ObjectNode toDict() {
      return ConfigDict.of(NAME).put("level", level).unknown(unknownKeys).build();
    }

    @Override
    public ObjectNode toDiffDict() {
      return ConfigDict.diff(toDict(), new Config(1, Map.of()).toDict());
    }

    @Override
    public List<String> modulesToNotConvert() {
      return List.of();
    }
  }

  @Override
  public String quantMethod() {
    return NAME;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    ConfigReader r = new ConfigReader(fileForErrors, dict);
    return new Config(r.integer("level", 1), r.unknown());
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(new Config(1, Map.of()));
  }

  @Override
  public Support support() {
    return Support.CONFIG_ONLY;
  }
}
