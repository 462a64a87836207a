package dev.quant4j.quantizers.aqlm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code AqlmConfig}: additive quantization with learned codebooks.
 *
 * @param inGroupSize input features per code (8 in the common 1x16 and 2x8 schemes)
 * @param outGroupSize output features per code
 * @param numCodebooks codebooks summed per group
 * @param nbitsPerCodebook bits per code (8 or 16 in practice)
 * @param linearWeightsNotToQuantize parameter names left unquantized (never null: transformers
 *     turns null into an empty list)
 */
public record AqlmConfig(
    int inGroupSize,
    int outGroupSize,
    int numCodebooks,
    int nbitsPerCodebook,
    List<String> linearWeightsNotToQuantize,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "aqlm";
  public static final AqlmConfig DEFAULTS = new AqlmConfig(8, 1, 1, 16, List.of(), Map.of());

  public AqlmConfig {
    ConfigChecks.positive("in_group_size", inGroupSize);
    ConfigChecks.positive("out_group_size", outGroupSize);
    ConfigChecks.positive("num_codebooks", numCodebooks);
    // Codes are stored in at most 64-bit integers (AQLM's get_int_dtype).
    ConfigChecks.require(
        nbitsPerCodebook > 0 && nbitsPerCodebook <= 64,
        "nbits_per_codebook",
        "out of range",
        "1..64 (8 or 16 in practice)",
        nbitsPerCodebook);
    linearWeightsNotToQuantize =
        linearWeightsNotToQuantize == null ? List.of() : List.copyOf(linearWeightsNotToQuantize);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static AqlmConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    int in = r.integer("in_group_size", 8);
    int out = r.integer("out_group_size", 1);
    int books = r.integer("num_codebooks", 1);
    int nbits = r.integer("nbits_per_codebook", 16);
    List<String> skip = r.optStrings("linear_weights_not_to_quantize", null);
    return r.build(() -> new AqlmConfig(in, out, books, nbits, skip, r.unknown()));
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("in_group_size", inGroupSize)
        .put("out_group_size", outGroupSize)
        .put("num_codebooks", numCodebooks)
        .put("nbits_per_codebook", nbitsPerCodebook)
        .putStrings("linear_weights_not_to_quantize", linearWeightsNotToQuantize)
        .unknown(unknownKeys)
        .build();
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return linearWeightsNotToQuantize;
  }
}
