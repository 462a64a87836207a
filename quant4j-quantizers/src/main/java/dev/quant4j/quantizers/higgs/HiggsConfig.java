package dev.quant4j.quantizers.higgs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code HiggsConfig}: Hadamard rotation then vector quantization on a grid.
 *
 * @param bits 2, 3 or 4
 * @param p grid dimension, 1 or 2
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 * @param hadamardSize rotation block, a multiple of {@code groupSize}
 * @param groupSize 64, 128 or 256
 * @param tuneMetadata FLUTE kernel tuning per module, written by the quantizer (never null)
 */
public record HiggsConfig(
    int bits,
    int p,
    List<String> modulesToNotConvert,
    int hadamardSize,
    int groupSize,
    ObjectNode tuneMetadata,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "higgs";
  public static final HiggsConfig DEFAULTS = bits(4);

  public HiggsConfig {
    ConfigChecks.oneOf("bits", "unsupported bit width", bits, 2, 3, 4);
    ConfigChecks.oneOf("p", "unsupported grid dimension", p, 1, 2);
    ConfigChecks.oneOf("group_size", "unsupported group size", groupSize, 64, 128, 256);
    ConfigChecks.require(
        hadamardSize > 0 && hadamardSize % groupSize == 0,
        "hadamard_size",
        "must be a positive multiple of group_size",
        "a multiple of " + groupSize,
        hadamardSize);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    tuneMetadata =
        tuneMetadata == null ? JsonNodeFactory.instance.objectNode() : tuneMetadata.deepCopy();
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** The defaults with another bit width. */
  public static HiggsConfig bits(int bits) {
    return new HiggsConfig(bits, 2, null, 512, 256, null, Map.of());
  }

  public static HiggsConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    int bits = r.integer("bits", 4);
    int p = r.integer("p", 2);
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    int hadamard = r.integer("hadamard_size", 512);
    int group = r.integer("group_size", 256);
    ObjectNode tune = r.optObject("tune_metadata", null);
    return r.build(() -> new HiggsConfig(bits, p, skip, hadamard, group, tune, r.unknown()));
  }

  /** A copy: the record's own node must stay unchanged. */
  @Override
  public ObjectNode tuneMetadata() {
    return tuneMetadata.deepCopy();
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("bits", bits)
        .put("p", p)
        .putStrings("modules_to_not_convert", modulesToNotConvert)
        .put("hadamard_size", hadamardSize)
        .put("group_size", groupSize)
        .put("tune_metadata", tuneMetadata)
        .unknown(unknownKeys)
        .build();
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return modulesToNotConvert == null ? List.of() : modulesToNotConvert;
  }
}
