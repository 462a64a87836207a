package dev.quant4j.generation;

import java.time.Duration;

/**
 * What a generation produced.
 *
 * @param promptIds the prompt's token ids
 * @param generatedIds the new ids, including the eos token when one ended generation
 * @param text the decoded new text (special tokens skipped)
 * @param stopReason why generation ended
 * @param prefillTime time of the prompt's forward pass
 * @param decodeTime time of the token-by-token passes after it
 */
public record GenerationResult(
    int[] promptIds,
    int[] generatedIds,
    String text,
    StopReason stopReason,
    Duration prefillTime,
    Duration decodeTime) {

  public GenerationResult {
    promptIds = promptIds.clone();
    generatedIds = generatedIds.clone();
  }

  @Override
  public int[] promptIds() {
    return promptIds.clone();
  }

  @Override
  public int[] generatedIds() {
    return generatedIds.clone();
  }

  /** Decode speed in tokens per second (the first new token comes from the prefill pass). */
  public double decodeTokensPerSecond() {
    int decoded = Math.max(0, generatedIds.length - 1);
    double s = decodeTime.toNanos() / 1e9;
    return s > 0 ? decoded / s : 0;
  }

  /** Why generation stopped. */
  public enum StopReason {
    EOS,
    STOP_STRING,
    MAX_NEW_TOKENS,
    CONTEXT_FULL
  }
}
