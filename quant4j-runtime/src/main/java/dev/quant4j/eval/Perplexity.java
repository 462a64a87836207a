package dev.quant4j.eval;

import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.ConfigException;
import dev.quant4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Perplexity by the protocol of CLI.md: each non-empty line encoded without special tokens and
 * followed by the eos id, all concatenated, cut into consecutive windows of {@code L} tokens (the
 * remainder dropped); in each window, independently, tokens 2..L are predicted from those before.
 */
public final class Perplexity {
  /** The window length CLI.md names as the default. */
  public static final int DEFAULT_WINDOW = 256;

  private Perplexity() {}

  /** The token stream of the protocol for a text file. */
  public static int[] encodeLines(Tokenizer tokenizer, Path file, int eosId) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new ConfigException(file, null, "not UTF-8 text");
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot read", e);
    }
    IntArrayBuilder ids = new IntArrayBuilder();
    for (String line : lines) {
      if (line.isEmpty()) {
        continue;
      }
      for (int id : tokenizer.encode(line, false)) {
        ids.accept(id);
      }
      ids.accept(eosId);
    }
    return ids.toArray();
  }

  /** Evaluates the windows of {@code tokens}; {@code progress} receives the windows done so far. */
  public static PerplexityResult evaluate(
      CausalLmModel model, int[] tokens, int window, IntConsumer progress) {
    if (window < 2) {
      throw new ConfigException(null, "window", "a window predicts tokens 2..L", ">= 2", window);
    }
    int windows = tokens.length / window;
    if (windows == 0) {
      throw new ConfigException(
          null,
          "window",
          "the text is shorter than one window",
          "<= " + tokens.length + " tokens",
          window);
    }
    int vocab = model.vocabSize();
    int maxPositions = model.config().maxPositionEmbeddings();
    if (window > maxPositions) {
      throw new ConfigException(
          null,
          "window",
          "longer than the model's context",
          "<= max_position_embeddings " + maxPositions,
          window);
    }
    long logitCount = (long) window * vocab;
    if (logitCount > Integer.MAX_VALUE - 8) {
      throw new dev.quant4j.error.ResourceLimitException(
          null,
          "window",
          "window x vocabulary logits do not fit one array",
          Integer.MAX_VALUE + " floats",
          logitCount);
    }
    InferenceSession session = model.newSession(window);
    float[] logits = new float[(int) logitCount];
    long start = System.nanoTime();
    double totalNll = 0;
    long predicted = 0;
    for (int w = 0; w < windows; w++) {
      session.reset();
      int off = w * window;
      session.forward(tokens, off, window, logits, LogitsMode.ALL);
      for (int t = 0; t < window - 1; t++) {
        totalNll += negativeLogLikelihood(logits, t * vocab, vocab, tokens[off + t + 1]);
      }
      predicted += window - 1;
      progress.accept(w + 1);
    }
    double meanNll = totalNll / predicted;
    return new PerplexityResult(
        Math.exp(meanNll),
        meanNll,
        windows,
        predicted,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** {@code logsumexp(row) - row[target]}, in double so long windows sum without drift. */
  static double negativeLogLikelihood(float[] logits, int off, int vocab, int target) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[off + i] - max);
    }
    return max + Math.log(sum) - logits[off + target];
  }

  /** A growable int list without boxing. */
  private static final class IntArrayBuilder implements IntConsumer {
    private int[] data = new int[1024];
    private int size;

    @Override
    public void accept(int v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }
}
