package dev.quant4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.load.CausalLm;
import dev.quant4j.testing.TestFiles;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The perplexity protocol of CLI.md on the embedded model and the repository's eval text. */
class PerplexityTest {
  @Test
  void tokenStreamHasTheWindowCountCliMdStates() {
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama())) {
      int[] tokens =
          Perplexity.encodeLines(lm.tokenizer(), TestFiles.repoRoot().resolve("data/eval.txt"), 0);
      // CLI.md: "For tiny-llama on ../shared/data/eval.txt this is 325 windows and 82875 predicted
      // tokens."
      assertEquals(325, tokens.length / 256);
      assertEquals(82875, (tokens.length / 256) * 255);
    }
  }

  @Test
  void windowsAreIndependentAndMatchAPerTokenComputation() {
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama())) {
      int[] tokens =
          Arrays.copyOf(
              Perplexity.encodeLines(
                  lm.tokenizer(), TestFiles.repoRoot().resolve("data/eval.txt"), 0),
              2 * 64 + 5);
      PerplexityResult r = Perplexity.evaluate(lm.model(), tokens, 64, w -> {});
      assertEquals(2, r.windows());
      assertEquals(126, r.tokensPredicted());
      // Independent path: feed each window token by token through a fresh session.
      int vocab = lm.model().vocabSize();
      double total = 0;
      for (int w = 0; w < 2; w++) {
        var session = lm.model().newSession(64);
        float[] logits = new float[vocab];
        for (int t = 0; t < 63; t++) {
          session.forward(tokens, w * 64 + t, 1, logits, LogitsMode.LAST);
          total += Perplexity.negativeLogLikelihood(logits, 0, vocab, tokens[w * 64 + t + 1]);
        }
      }
      assertEquals(total / 126, r.meanNll(), 1e-4);
      assertEquals(Math.exp(r.meanNll()), r.ppl(), 1e-9);
      assertTrue(r.ppl() > 10 && r.ppl() < 200, "a trained model: " + r.ppl());
    }
  }
}
