package dev.quant4j.generation;

import dev.quant4j.error.ConfigException;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How to generate: the decoding strategy and when to stop. Defaults are greedy decoding of at most
 * 64 new tokens, as transformers does when a model has no generation_config.json. Validated on
 * construction with errors naming the transformers key.
 *
 * @param maxNewTokens {@code max_new_tokens}, at least 0
 * @param doSample {@code do_sample}: false is greedy (argmax) and ignores the sampling parameters
 * @param temperature {@code temperature} &gt; 0 (only when sampling)
 * @param topK {@code top_k}; 0 disables it
 * @param topP {@code top_p} in (0, 1]; 1 disables it
 * @param minP {@code min_p} in [0, 1]; 0 disables it
 * @param repetitionPenalty {@code repetition_penalty} &gt; 0; 1 disables it
 * @param seed the sampler's seed; empty draws one
 * @param eosTokenIds generation stops after producing any of these
 * @param stopStrings generation stops once the decoded new text contains one of these
 */
public record GenerationOptions(
    int maxNewTokens,
    boolean doSample,
    double temperature,
    int topK,
    double topP,
    double minP,
    double repetitionPenalty,
    OptionalLong seed,
    List<Integer> eosTokenIds,
    List<String> stopStrings) {

  public GenerationOptions {
    Objects.requireNonNull(seed, "seed");
    eosTokenIds = List.copyOf(eosTokenIds);
    stopStrings = List.copyOf(stopStrings);
    check(maxNewTokens >= 0, "max_new_tokens", ">= 0", maxNewTokens);
    check(temperature > 0 || !doSample, "temperature", "> 0 when sampling", temperature);
    check(temperature >= 0 && Double.isFinite(temperature), "temperature", ">= 0", temperature);
    check(topK >= 0, "top_k", ">= 0", topK);
    check(topP > 0 && topP <= 1, "top_p", "in (0, 1]", topP);
    check(minP >= 0 && minP <= 1, "min_p", "in [0, 1]", minP);
    check(
        repetitionPenalty > 0 && Double.isFinite(repetitionPenalty),
        "repetition_penalty",
        "> 0",
        repetitionPenalty);
    for (String s : stopStrings) {
      check(!s.isEmpty(), "stop_strings", "non-empty strings", "\"\"");
    }
  }

  private static void check(boolean ok, String key, String expected, Object actual) {
    if (!ok) {
      throw new ConfigException(null, key, "invalid generation parameter", expected, actual);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxNewTokens = maxNewTokens;
    b.doSample = doSample;
    b.temperature = temperature;
    b.topK = topK;
    b.topP = topP;
    b.minP = minP;
    b.repetitionPenalty = repetitionPenalty;
    b.seed = seed;
    b.eosTokenIds = eosTokenIds;
    b.stopStrings = stopStrings;
    return b;
  }

  /** Builder with transformers' defaults (greedy, 64 new tokens, top_k 50 when sampling). */
  public static final class Builder {
    private int maxNewTokens = 64;
    private boolean doSample;
    private double temperature = 1.0;
    private int topK = 50;
    private double topP = 1.0;
    private double minP;
    private double repetitionPenalty = 1.0;
    private OptionalLong seed = OptionalLong.empty();
    private List<Integer> eosTokenIds = List.of();
    private List<String> stopStrings = List.of();

    private Builder() {}

    public Builder maxNewTokens(int v) {
      maxNewTokens = v;
      return this;
    }

    public Builder doSample(boolean v) {
      doSample = v;
      return this;
    }

    public Builder temperature(double v) {
      temperature = v;
      return this;
    }

    public Builder topK(int v) {
      topK = v;
      return this;
    }

    public Builder topP(double v) {
      topP = v;
      return this;
    }

    public Builder minP(double v) {
      minP = v;
      return this;
    }

    public Builder repetitionPenalty(double v) {
      repetitionPenalty = v;
      return this;
    }

    public Builder seed(long v) {
      seed = OptionalLong.of(v);
      return this;
    }

    public Builder eosTokenIds(List<Integer> v) {
      eosTokenIds = v;
      return this;
    }

    public Builder stopStrings(List<String> v) {
      stopStrings = v;
      return this;
    }

    public GenerationOptions build() {
      return new GenerationOptions(
          maxNewTokens,
          doSample,
          temperature,
          topK,
          topP,
          minP,
          repetitionPenalty,
          seed,
          eosTokenIds,
          stopStrings);
    }
  }
}
