package dev.quant4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.load.CausalLm;
import dev.quant4j.testing.TestFiles;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Generation on the embedded model: greedy, seeded sampling, stopping and streaming. */
class GeneratorTest {
  static CausalLm lm;

  @BeforeAll
  static void load() {
    lm = CausalLm.fromPretrained(TestFiles.tinyLlama());
  }

  @AfterAll
  static void close() {
    lm.close();
  }

  @Test
  void greedyStopsAtEosAndStreamsTheSameText() {
    StringBuilder streamed = new StringBuilder();
    var r = lm.generate("The jury said that the", lm.defaultGenerationOptions(), streamed::append);
    assertEquals(GenerationResult.StopReason.EOS, r.stopReason());
    assertEquals(0, r.generatedIds()[r.generatedIds().length - 1], "eos included in the ids");
    assertEquals(" Court of Justice was not the right to vote.", r.text());
    assertEquals(r.text(), streamed.toString());
  }

  @Test
  void seededSamplingIsReproducibleAndSeedsDiffer() {
    var options =
        lm.defaultGenerationOptions().toBuilder()
            .doSample(true)
            .temperature(1.2)
            .topK(0)
            .maxNewTokens(24)
            .eosTokenIds(List.of())
            .seed(7)
            .build();
    var a = lm.generate("In 1961, the city", options);
    var b = lm.generate("In 1961, the city", options);
    assertArrayEquals(a.generatedIds(), b.generatedIds());
    var c = lm.generate("In 1961, the city", options.toBuilder().seed(8).build());
    assertNotEquals(
        java.util.Arrays.toString(a.generatedIds()), java.util.Arrays.toString(c.generatedIds()));
  }

  @Test
  void stopStringsAndTokenBudgetEndGeneration() {
    var stop =
        lm.generate(
            "The jury said that the",
            lm.defaultGenerationOptions().toBuilder().stopStrings(List.of("Justice")).build());
    assertEquals(GenerationResult.StopReason.STOP_STRING, stop.stopReason());
    assertTrue(stop.text().endsWith("Justice"), stop.text());
    // A stop string spanning two tokens (" of" + " Just") is found when its last part arrives.
    var spanning =
        lm.generate(
            "The jury said that the",
            lm.defaultGenerationOptions().toBuilder().stopStrings(List.of("of Jus")).build());
    assertEquals(GenerationResult.StopReason.STOP_STRING, spanning.stopReason());
    assertEquals(" Court of Just", spanning.text());
    var budget =
        lm.generate(
            "The jury said that the",
            lm.defaultGenerationOptions().toBuilder().maxNewTokens(3).build());
    assertEquals(3, budget.generatedIds().length);
    assertEquals(GenerationResult.StopReason.MAX_NEW_TOKENS, budget.stopReason());
  }

  @Test
  void topKOfOneIsGreedy() {
    var greedy = lm.generate("The jury said that the", lm.defaultGenerationOptions());
    var sampled =
        lm.generate(
            "The jury said that the",
            lm.defaultGenerationOptions().toBuilder().doSample(true).topK(1).seed(3).build());
    assertArrayEquals(greedy.generatedIds(), sampled.generatedIds());
  }
}
