package dev.quant4j.tokenizer;

import java.util.Arrays;

/**
 * Decodes ids one at a time, returning only text that is complete: bytes of a character split
 * across tokens (byte-level or {@code <0xNN>} fallback) are held back until the character is whole.
 *
 * <p>Decoders are not token-local (SentencePiece strips the first space, byte runs join), so each
 * step decodes the pending ids together with the last returned token as context and returns the
 * text beyond what the context alone decodes to, as Hugging Face's {@code DecodeStream} does. The
 * concatenation of the returned pieces equals {@code decode} of all ids. Not thread-safe: one per
 * generation.
 */
public final class StreamingDecoder {
  /**
   * A UTF-8 character spans at most 4 bytes: text still ending in U+FFFD after this many pending
   * tokens is genuinely invalid, and is returned rather than held back for ever.
   */
  private static final int MAX_PENDING = 4;

  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids = new int[8]; // [0, contextSize): already returned, kept as context
  private int size;
  private int contextSize;
  private String context = ""; // decoding of ids[0, contextSize)

  StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  /**
   * Adds an id and returns the text it completes: empty while a character is incomplete, or when
   * the token adds no text (a skipped special token).
   *
   * @throws dev.quant4j.error.FormatException when the id is not in the vocabulary
   */
  public String push(int id) {
    tokenizer.idToToken(id); // fail now, not on a later push
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = id;
    String text = tokenizer.decode(Arrays.copyOf(ids, size), skipSpecialTokens);
    boolean incomplete = text.endsWith("\uFFFD") && size - contextSize < MAX_PENDING;
    if (text.length() <= context.length() || incomplete) {
      return "";
    }
    String added = text.substring(context.length());
    keepContext();
    return added;
  }

  /**
   * Keeps as context the fewest last ids that decode to whole characters: a lone byte token would
   * decode to U+FFFD and, joined with the next bytes, change how they decode.
   */
  private void keepContext() {
    for (int k = 1; k <= Math.min(size, MAX_PENDING); k++) {
      String tail = tokenizer.decode(Arrays.copyOfRange(ids, size - k, size), skipSpecialTokens);
      if (tail.indexOf('\uFFFD') < 0) {
        System.arraycopy(ids, size - k, ids, 0, k);
        size = k;
        contextSize = k;
        context = tail;
        return;
      }
    }
    size = 0; // invalid bytes were returned: start afresh rather than carry them
    contextSize = 0;
    context = "";
  }
}
