package dev.quant4j.generation;

import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.tokenizer.StreamingDecoder;
import dev.quant4j.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Autoregressive generation: one prefill pass over the prompt, then one pass per new token, with
 * transformers' logits processors, greedy or seeded sampling, and stopping at eos ids, stop strings
 * or the token budget. Stateless apart from its model and tokenizer; safe to share.
 */
public final class Generator {
  private final CausalLmModel model;
  private final Tokenizer tokenizer;

  public Generator(CausalLmModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** Encodes {@code prompt} (with the tokenizer's special tokens) and generates from it. */
  public GenerationResult generate(
      String prompt, GenerationOptions options, TextListener listener) {
    return generate(tokenizer.encode(prompt, true), options, listener);
  }

  public GenerationResult generate(
      int[] promptIds, GenerationOptions options, TextListener listener) {
    if (promptIds.length == 0) {
      throw new ConfigException(
          null, "prompt", "empty prompt: at least one token is needed", ">= 1 token", 0);
    }
    int vocab = model.vocabSize();
    for (int id : promptIds) {
      if (id < 0 || id >= vocab) {
        throw new ConfigException(
            null, "prompt", "token id outside the vocabulary", "[0, " + vocab + ")", id);
      }
    }
    int maxPositions = model.config().maxPositionEmbeddings();
    int capacity =
        (int)
            Math.min(
                (long) promptIds.length + options.maxNewTokens(),
                Math.max(maxPositions, promptIds.length));
    InferenceSession session = model.newSession(capacity);
    // The last new token is never fed back, so a full cache still leaves room for one more id.
    int[] all = Arrays.copyOf(promptIds, capacity + 1);
    int count = promptIds.length;
    float[] logits = new float[vocab];
    SplittableRandom random =
        new SplittableRandom(
            options.seed().orElseGet(() -> System.nanoTime() ^ 0x9E3779B97F4A7C15L));
    StreamingDecoder decoder = tokenizer.newStreamingDecoder(true);
    StringBuilder text = new StringBuilder();
    GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_NEW_TOKENS;

    long t0 = System.nanoTime();
    long prefillEnd = t0;
    if (options.maxNewTokens() > 0) {
      session.forward(promptIds, 0, promptIds.length, logits, LogitsMode.LAST);
      prefillEnd = System.nanoTime();
    }
    for (int step = 0; step < options.maxNewTokens(); step++) {
      if (step > 0) {
        if (session.position() >= session.capacity()) {
          reason = GenerationResult.StopReason.CONTEXT_FULL;
          break;
        }
        session.forward(all, count - 1, 1, logits, LogitsMode.LAST);
      }
      int next = choose(logits, all, count, options, random);
      all[count++] = next;
      String piece = decoder.push(next);
      if (!piece.isEmpty()) {
        text.append(piece);
        listener.onText(piece);
      }
      if (options.eosTokenIds().contains(next)) {
        reason = GenerationResult.StopReason.EOS;
        break;
      }
      if (!piece.isEmpty() && endsNewStopString(text, piece.length(), options)) {
        reason = GenerationResult.StopReason.STOP_STRING;
        break;
      }
    }
    long end = System.nanoTime();
    int[] generated = Arrays.copyOfRange(all, promptIds.length, count);
    return new GenerationResult(
        promptIds,
        generated,
        tokenizer.decode(generated, true),
        reason,
        Duration.ofNanos(prefillEnd - t0),
        Duration.ofNanos(end - prefillEnd));
  }

  private static int choose(
      float[] logits,
      int[] seen,
      int seenCount,
      GenerationOptions options,
      SplittableRandom random) {
    LogitsProcessors.repetitionPenalty(
        logits, seen, seenCount, (float) options.repetitionPenalty());
    if (!options.doSample()) {
      return LogitsProcessors.argmax(logits, logits.length);
    }
    LogitsProcessors.temperature(logits, (float) options.temperature());
    LogitsProcessors.topK(logits, options.topK());
    LogitsProcessors.topP(logits, (float) options.topP());
    LogitsProcessors.minP(logits, (float) options.minP());
    float[] probs = LogitsProcessors.softmax(logits);
    double r = random.nextDouble();
    double cumulative = 0;
    int last = 0;
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] > 0) {
        cumulative += probs[i];
        last = i;
        if (r < cumulative) {
          return i;
        }
      }
    }
    return last;
  }

  /**
   * Whether a stop string occurs in the text that the last {@code added} characters completed: only
   * the tail is searched, so a long generation does not rescan everything per token.
   */
  private static boolean endsNewStopString(
      StringBuilder text, int added, GenerationOptions options) {
    for (String stop : options.stopStrings()) {
      int from = Math.max(0, text.length() - added - stop.length() + 1);
      if (text.indexOf(stop, from) >= 0) {
        return true;
      }
    }
    return false;
  }
}
