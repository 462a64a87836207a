package dev.quant4j.quantizers.common;

import dev.quant4j.error.NotSupportedException;
import dev.quant4j.tensor.TensorView;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Float working copies of the weights being quantized, reused from one weight to the next (a
 * quantizer owns one; it dies with the quantizer when loading ends). A 1B model's weights widened
 * to float32 are gigabytes of short-lived arrays: left to the collector they grow the heap, and
 * with it the resident set, well past the quantized model (see DESIGN.md, quantize-on-load memory).
 * Arrays are pooled by exact length, so code that reads {@code values.length} sees the weight's
 * size; at most one array per length per thread at work is kept. Thread-safe.
 */
public final class FloatScratch {
  private final Map<Integer, ConcurrentLinkedDeque<float[]>> free = new ConcurrentHashMap<>();

  /** An array of exactly {@code n} floats with unspecified contents; give it back when done. */
  public float[] borrow(int n) {
    ConcurrentLinkedDeque<float[]> pool = free.get(n);
    float[] a = pool == null ? null : pool.pollFirst();
    return a != null ? a : new float[n];
  }

  /**
   * The values of {@code t} widened to float32 (as {@link TensorView#toFloatArray}) in a borrowed
   * array; give it back when done.
   */
  public float[] copyOf(TensorView t) {
    long n = t.numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new NotSupportedException(
          t.source(), t.name() + ": a weight of " + n + " elements (2^31 at most)");
    }
    float[] a = borrow((int) n);
    t.copyToFloats(0, a, 0, (int) n);
    return a;
  }

  /** Returns {@code a} to the pool; the caller must not use it (or anything viewing it) again. */
  public void giveBack(float[] a) {
    free.computeIfAbsent(a.length, k -> new ConcurrentLinkedDeque<>()).addFirst(a);
  }
}
