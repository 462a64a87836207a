package dev.quant4j.arch;

/**
 * One sequence being processed: the KV cache and the scratch buffers of a forward pass. Not
 * thread-safe; one per sequence. Tokens are appended: a call to {@link #forward} processes them at
 * the positions following those already in the cache.
 */
public interface InferenceSession {
  /** How many positions the cache holds now. */
  int position();

  /** How many positions it can hold at most. */
  int capacity();

  /** Empties the cache so the session can start a new sequence. */
  void reset();

  /**
   * Runs {@code tokens[off, off + len)} through the model in one pass (prefill when {@code len >
   * 1}) and writes logits: of the last position only ({@code logits.length >= vocab}) or of every
   * position ({@code logits.length >= len * vocab}, row-major).
   */
  void forward(int[] tokens, int off, int len, float[] logits, LogitsMode mode);

  /** Which positions' logits a forward pass writes. */
  enum LogitsMode {
    LAST,
    ALL
  }
}
