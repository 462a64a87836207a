package dev.quant4j.config;

import dev.quant4j.error.ConfigException;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Reads the rope keys of a config.json, in either form, with transformers' precedence: {@code
 * rope_scaling} over {@code rope_parameters}; inside the dict {@code rope_type} over the older
 * {@code type}; the dict's {@code rope_theta} over the top-level one over 10000; a top-level {@code
 * original_max_position_embeddings} (Phi-3 style) over the dict's over max_position_embeddings.
 */
final class RopeParser {
  private static final double DEFAULT_THETA = 10_000.0;
  private static final int MAX_POSITIONS = 1 << 24;

  private RopeParser() {}

  static RopeConfig parse(JsonFields root, int maxPositionEmbeddings) {
    String dictKey = root.has("rope_scaling") ? "rope_scaling" : "rope_parameters";
    JsonFields dict =
        root.has(dictKey)
            ? JsonFields.of(root.file(), root.key(dictKey), root.get(dictKey), dictKey)
            : null;

    double theta =
        dict != null && dict.has("rope_theta")
            ? dict.doubleOr("rope_theta", DEFAULT_THETA)
            : root.doubleOr("rope_theta", DEFAULT_THETA);
    if (!(theta > 1.0)) {
      String key = dict != null && dict.has("rope_theta") ? dict.key("rope_theta") : "rope_theta";
      throw new ConfigException(root.file(), key, "out of range", "greater than 1", theta);
    }
    double partial =
        dict != null && dict.has("partial_rotary_factor")
            ? dict.doubleOr("partial_rotary_factor", 1.0)
            : root.doubleOr("partial_rotary_factor", 1.0);
    if (!(partial > 0 && partial <= 1)) {
      throw root.error("partial_rotary_factor", "out of range", "in (0, 1]", partial);
    }
    if (dict == null) {
      return new RopeConfig(theta, partial, maxPositionEmbeddings, new RopeConfig.Default());
    }

    dict.node()
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isObject()) {
                // Gemma-style per-layer-type rope dicts: not a Llama-family layout.
                throw RopeConfig.unsupported(
                    root.file(), dict.key(e.getKey()), "per-layer rope parameters");
              }
            });
    String type = dict.optString("rope_type").or(() -> dict.optString("type")).orElse("default");
    String typeKey = dict.key(dict.has("rope_type") ? "rope_type" : "type");
    RopeConfig.Scaling scaling =
        switch (type) {
          case "default" -> new RopeConfig.Default();
          case "linear" -> new RopeConfig.Linear(requireFactor(dict));
          case "dynamic" -> new RopeConfig.Dynamic(requireFactor(dict));
          case "llama3" ->
              new RopeConfig.Llama3(
                  requireFactor(dict),
                  requirePositive(dict, "low_freq_factor"),
                  requirePositive(dict, "high_freq_factor"),
                  originalMax(root, dict, maxPositionEmbeddings));
          case "yarn" ->
              yarn(dict, originalMax(root, dict, maxPositionEmbeddings), maxPositionEmbeddings);
          default -> throw RopeConfig.unsupported(root.file(), typeKey, type);
        };
    if (scaling instanceof RopeConfig.Llama3 l3 && !(l3.highFreqFactor() > l3.lowFreqFactor())) {
      throw dict.error(
          "high_freq_factor",
          "must exceed low_freq_factor",
          "greater than " + l3.lowFreqFactor(),
          l3.highFreqFactor());
    }
    return new RopeConfig(theta, partial, maxPositionEmbeddings, scaling);
  }

  private static RopeConfig.Yarn yarn(JsonFields dict, int originalMax, int maxPositionEmbeddings) {
    // A null factor means "the ratio of the two context lengths" (DeepSeek-V3 style).
    double factor =
        dict.has("factor") ? requireFactor(dict) : (double) maxPositionEmbeddings / originalMax;
    OptionalDouble attentionFactor = dict.optDouble("attention_factor");
    if (attentionFactor.isPresent() && attentionFactor.getAsDouble() < 0) {
      throw dict.error(
          "attention_factor", "out of range", "at least 0", attentionFactor.getAsDouble());
    }
    // Python's `x or default`: 0 also falls back to the default.
    double betaFast = dict.doubleOr("beta_fast", 32);
    double betaSlow = dict.doubleOr("beta_slow", 1);
    betaFast = betaFast == 0 ? 32 : betaFast;
    betaSlow = betaSlow == 0 ? 1 : betaSlow;
    if (betaFast < 0 || betaSlow < 0) {
      throw dict.error(
          "beta_fast",
          "out of range",
          "positive beta_fast and beta_slow",
          betaFast + ", " + betaSlow);
    }
    return new RopeConfig.Yarn(
        factor,
        originalMax,
        betaFast,
        betaSlow,
        attentionFactor,
        dict.optDouble("mscale"),
        dict.optDouble("mscale_all_dim"),
        dict.boolOr("truncate", true));
  }

  private static int originalMax(JsonFields root, JsonFields dict, int maxPositionEmbeddings) {
    OptionalInt top = root.optInt("original_max_position_embeddings", 1, MAX_POSITIONS);
    if (top.isPresent()) {
      return top.getAsInt();
    }
    return dict.intOr("original_max_position_embeddings", maxPositionEmbeddings, 1, MAX_POSITIONS);
  }

  private static double requireFactor(JsonFields dict) {
    if (!dict.has("factor")) {
      throw dict.error("factor", "required key is missing", "a number", "absent");
    }
    return requirePositive(dict, "factor");
  }

  private static double requirePositive(JsonFields dict, String name) {
    if (!dict.has(name)) {
      throw dict.error(name, "required key is missing", "a number", "absent");
    }
    double v = dict.doubleOr(name, 0);
    if (!(v > 0)) {
      throw dict.error(name, "out of range", "greater than 0", v);
    }
    return v;
  }
}
