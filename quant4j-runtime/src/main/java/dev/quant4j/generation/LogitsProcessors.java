package dev.quant4j.generation;

import java.util.Arrays;

/**
 * The logits processors and warpers of transformers' generation, applied in its order: repetition
 * penalty, then (when sampling) temperature, top-k, top-p, min-p. Filtered tokens get {@code
 * -Infinity}. Each works in place on one row of logits.
 */
final class LogitsProcessors {
  private LogitsProcessors() {}

  /** transformers' RepetitionPenaltyLogitsProcessor: every token seen so far, once. */
  static void repetitionPenalty(float[] logits, int[] seen, int seenCount, float penalty) {
    if (penalty == 1f) {
      return;
    }
    boolean[] done = new boolean[logits.length];
    for (int i = 0; i < seenCount; i++) {
      int id = seen[i];
      if (id < 0 || id >= logits.length || done[id]) {
        continue;
      }
      done[id] = true;
      float s = logits[id];
      logits[id] = s < 0 ? s * penalty : s / penalty;
    }
  }

  static void temperature(float[] logits, float temperature) {
    if (temperature == 1f) {
      return;
    }
    for (int i = 0; i < logits.length; i++) {
      logits[i] /= temperature;
    }
  }

  /**
   * Keeps the {@code k} largest logits (ties at the k-th value are kept, as torch.topk's threshold
   * does).
   */
  static void topK(float[] logits, int k) {
    if (k <= 0 || k >= logits.length) {
      return;
    }
    float[] sorted = logits.clone();
    Arrays.sort(sorted);
    float kth = sorted[sorted.length - k];
    for (int i = 0; i < logits.length; i++) {
      if (logits[i] < kth) {
        logits[i] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  /**
   * Nucleus filtering as transformers' TopPLogitsWarper: sort ascending, remove the tokens whose
   * cumulative probability is at most {@code 1 - p}, always keeping the most likely one.
   */
  static void topP(float[] logits, float p) {
    if (p >= 1f) {
      return;
    }
    int n = logits.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(logits[a], logits[b]));
    float[] probs = softmax(logits);
    double cumulative = 0;
    for (int rank = 0; rank < n - 1; rank++) {
      int id = order[rank];
      cumulative += probs[id];
      if (cumulative <= 1.0 - p) {
        logits[id] = Float.NEGATIVE_INFINITY;
      } else {
        break;
      }
    }
  }

  /** transformers' MinPLogitsWarper: drop tokens less likely than {@code minP} times the best. */
  static void minP(float[] logits, float minP) {
    if (minP <= 0f) {
      return;
    }
    float[] probs = softmax(logits);
    float top = 0;
    for (float v : probs) {
      top = Math.max(top, v);
    }
    float threshold = minP * top;
    for (int i = 0; i < logits.length; i++) {
      if (probs[i] < threshold) {
        logits[i] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  static float[] softmax(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    float[] out = new float[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      float e = logits[i] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(logits[i] - max);
      out[i] = e;
      sum += e;
    }
    float inv = (float) (1.0 / sum);
    for (int i = 0; i < out.length; i++) {
      out[i] *= inv;
    }
    return out;
  }

  /** The first index of the largest value, as torch.argmax picks among ties. */
  static int argmax(float[] logits, int vocab) {
    int best = 0;
    float bestValue = logits[0];
    for (int i = 1; i < vocab; i++) {
      if (logits[i] > bestValue) {
        bestValue = logits[i];
        best = i;
      }
    }
    return best;
  }
}
