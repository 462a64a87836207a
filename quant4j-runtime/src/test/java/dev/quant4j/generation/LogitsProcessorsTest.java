package dev.quant4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quant4j.error.ConfigException;
import org.junit.jupiter.api.Test;

/** The processors against hand-worked cases of transformers' definitions. */
class LogitsProcessorsTest {
  static final float NEG = Float.NEGATIVE_INFINITY;

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOnce() {
    float[] logits = {2f, -2f, 1f};
    LogitsProcessors.repetitionPenalty(logits, new int[] {0, 1, 0, 0}, 4, 2f);
    assertArrayEquals(new float[] {1f, -4f, 1f}, logits);
  }

  @Test
  void topKKeepsTheKLargest() {
    float[] logits = {1f, 5f, 3f, 4f};
    LogitsProcessors.topK(logits, 2);
    assertArrayEquals(new float[] {NEG, 5f, NEG, 4f}, logits);
  }

  @Test
  void topPKeepsTheSmallestSetAboveP() {
    // probabilities 0.5, 0.25, 0.125, 0.125 (ln 4, ln 2, 0, 0)
    float ln2 = (float) Math.log(2);
    float[] logits = {2 * ln2, ln2, 0f, 0f};
    LogitsProcessors.topP(logits, 0.7f);
    assertEquals(NEG, logits[2]);
    assertEquals(NEG, logits[3]);
    assertEquals(ln2, logits[1]);
  }

  @Test
  void minPDropsTokensBelowAFractionOfTheBest() {
    float ln2 = (float) Math.log(2);
    float[] logits = {2 * ln2, ln2, 0f};
    LogitsProcessors.minP(logits, 0.3f); // best 4/7; 1/7 < 0.3 * 4/7 is dropped, 2/7 kept
    assertEquals(NEG, logits[2]);
    assertEquals(ln2, logits[1]);
  }

  @Test
  void argmaxTakesTheFirstOfTies() {
    assertEquals(1, LogitsProcessors.argmax(new float[] {0f, 3f, 3f}, 3));
  }

  @Test
  void optionsAreValidatedWithTransformersKeys() {
    assertEquals(
        "top_p",
        assertThrows(ConfigException.class, () -> GenerationOptions.builder().topP(0).build())
            .key());
    assertEquals(
        "top_k",
        assertThrows(ConfigException.class, () -> GenerationOptions.builder().topK(-1).build())
            .key());
    assertEquals(
        "temperature",
        assertThrows(
                ConfigException.class,
                () -> GenerationOptions.builder().doSample(true).temperature(0).build())
            .key());
    assertEquals(
        "repetition_penalty",
        assertThrows(
                ConfigException.class,
                () -> GenerationOptions.builder().repetitionPenalty(0).build())
            .key());
  }
}
