package dev.quant4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * generation_config.json: the sampling defaults a checkpoint ships with. Absent (or null) keys take
 * the defaults transformers applies ({@code max_length} 20, greedy, temperature 1, top_k 50, top_p
 * 1, repetition_penalty 1); out-of-range values are refused, naming the key.
 *
 * @param maxNewTokens {@code max_new_tokens}; when present it wins over {@code maxLength}
 * @param maxLength {@code max_length}: prompt plus generated tokens
 * @param minP {@code min_p}, empty when disabled
 * @param eosTokenIds {@code eos_token_id}, an int or a list in the file
 * @param raw the document as read, unknown keys included
 */
public record GenerationConfig(
    OptionalInt maxNewTokens,
    int maxLength,
    boolean doSample,
    double temperature,
    int topK,
    double topP,
    OptionalDouble minP,
    double repetitionPenalty,
    List<Integer> eosTokenIds,
    OptionalInt bosTokenId,
    OptionalInt padTokenId,
    ObjectNode raw) {

  public static final String FILE_NAME = "generation_config.json";
  private static final int DEFAULT_MAX_LENGTH = 20;
  private static final int DEFAULT_TOP_K = 50;

  public GenerationConfig {
    Objects.requireNonNull(maxNewTokens, "maxNewTokens");
    Objects.requireNonNull(minP, "minP");
    eosTokenIds = List.copyOf(eosTokenIds);
    raw = raw.deepCopy();
  }

  @Override
  public ObjectNode raw() {
    return raw.deepCopy();
  }

  /** What transformers uses for a checkpoint without generation_config.json. */
  public static GenerationConfig defaults() {
    return fromJson(null, JsonNodeFactory.instance.objectNode());
  }

  public static GenerationConfig read(Path file) {
    return fromJson(file, BoundedJson.CONFIG.read(file));
  }

  /** The checkpoint directory's generation_config.json, or {@link #defaults()} if it has none. */
  public static GenerationConfig readOrDefaults(Path checkpointDir) {
    Path file = checkpointDir.resolve(FILE_NAME);
    return Files.isRegularFile(file) ? read(file) : defaults();
  }

  public static GenerationConfig fromJson(Path fileForErrors, JsonNode node) {
    JsonFields f = JsonFields.of(fileForErrors, "", node, FILE_NAME);
    OptionalInt maxNewTokens = f.optInt("max_new_tokens", 1, Integer.MAX_VALUE);
    int maxLength = f.intOr("max_length", DEFAULT_MAX_LENGTH, 1, Integer.MAX_VALUE);
    double temperature = f.doubleOr("temperature", 1.0);
    if (temperature < 0) {
      throw f.error("temperature", "out of range", "at least 0", temperature);
    }
    int topK = f.intOr("top_k", DEFAULT_TOP_K, 0, Integer.MAX_VALUE);
    double topP = f.doubleOr("top_p", 1.0);
    if (!(topP > 0 && topP <= 1)) {
      throw f.error("top_p", "out of range", "in (0, 1]", topP);
    }
    OptionalDouble minP = f.optDouble("min_p");
    if (minP.isPresent() && !(minP.getAsDouble() >= 0 && minP.getAsDouble() <= 1)) {
      throw f.error("min_p", "out of range", "in [0, 1]", minP.getAsDouble());
    }
    double repetitionPenalty = f.doubleOr("repetition_penalty", 1.0);
    if (!(repetitionPenalty > 0)) {
      throw f.error("repetition_penalty", "out of range", "greater than 0", repetitionPenalty);
    }
    return new GenerationConfig(
        maxNewTokens,
        maxLength,
        f.boolOr("do_sample", false),
        temperature,
        topK,
        topP,
        minP,
        repetitionPenalty,
        f.intOrIntList("eos_token_id", 0, Integer.MAX_VALUE),
        f.optInt("bos_token_id", 0, Integer.MAX_VALUE),
        f.optInt("pad_token_id", 0, Integer.MAX_VALUE),
        f.node());
  }

  /**
   * Checks the token ids against the model's vocabulary, which this file alone does not know.
   *
   * @param file names generation_config.json in the error
   */
  public void checkTokenIds(Path file, int vocabSize) {
    for (int id : eosTokenIds) {
      checkId(file, "eos_token_id", id, vocabSize);
    }
    bosTokenId.ifPresent(id -> checkId(file, "bos_token_id", id, vocabSize));
    padTokenId.ifPresent(id -> checkId(file, "pad_token_id", id, vocabSize));
  }

  private static void checkId(Path file, String key, int id, int vocabSize) {
    if (id >= vocabSize) {
      throw new ConfigException(
          file, key, "token id outside the vocabulary", "below " + vocabSize, id);
    }
  }
}
