package dev.quant4j.cli;

import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadOptions;
import dev.quant4j.quantization.QuantizationConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The measurements of one method, run in a process of its own so that its peak RSS is its own: load
 * (and quantize), then prefill and decode speed on random token ids, each after a warm-up so the
 * figures are the JIT-compiled steady state.
 */
final class BenchWorker {
  /**
   * What to measure.
   *
   * @param prefillTokens tokens of the one timed prefill forward pass
   * @param decodeTokens tokens generated one at a time, timed
   * @param warmupTokens decode steps run before timing (after one untimed prefill)
   * @param threads kernel threads, 0 for one per core
   * @param seed of the random prompt ids
   */
  record Settings(int prefillTokens, int decodeTokens, int warmupTokens, int threads, long seed) {}

  private BenchWorker() {}

  /** Loads {@code dir} with {@code quantization} (empty: as stored) and measures it. */
  static BenchResult measure(
      Path dir, String method, Optional<QuantizationConfig> quantization, Settings s) {
    LoadOptions.Builder options = LoadOptions.builder().threads(s.threads());
    quantization.ifPresent(options::quantization);
    try (CausalLm lm = CausalLm.fromPretrained(dir, options.build())) {
      CausalLmModel model = lm.model();
      int[] prompt = randomIds(model.vocabSize(), s.prefillTokens(), s.seed());
      float[] logits = new float[model.vocabSize()];
      prefill(model, prompt, logits);
      decode(model, prompt[0], s.warmupTokens(), logits);

      long t0 = System.nanoTime();
      prefill(model, prompt, logits);
      long t1 = System.nanoTime();
      decode(model, prompt[0], s.decodeTokens(), logits);
      long t2 = System.nanoTime();
      return new BenchResult.Measured(
          method,
          model.weightBytes(),
          lm.loadReport().loadTime().toNanos() / 1e9,
          peakRssBytes(),
          s.prefillTokens() / ((t1 - t0) / 1e9),
          s.decodeTokens() / ((t2 - t1) / 1e9));
    } catch (NotSupportedException e) {
      return new BenchResult.Failed(method, e.userMessage(), true);
    }
  }

  private static void prefill(CausalLmModel model, int[] prompt, float[] logits) {
    model.newSession(prompt.length).forward(prompt, 0, prompt.length, logits, LogitsMode.LAST);
  }

  /** Greedy decoding from an empty cache, as llama.cpp's tg figures are measured. */
  private static void decode(CausalLmModel model, int first, int steps, float[] logits) {
    InferenceSession session = model.newSession(Math.max(1, steps));
    int[] token = {first};
    for (int i = 0; i < steps; i++) {
      session.forward(token, 0, 1, logits, LogitsMode.LAST);
      token[0] = argmax(logits, model.vocabSize());
    }
  }

  private static int argmax(float[] logits, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  static int[] randomIds(int vocab, int n, long seed) {
    return new SplittableRandom(seed).ints(n, 0, vocab).toArray();
  }

  /** VmHWM of /proc/self/status (Linux): the process's peak resident set; -1 elsewhere. */
  static long peakRssBytes() {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024; // the kernel reports kB (KiB)
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
