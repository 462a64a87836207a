package dev.quant4j.tokenizer;

import java.util.function.Consumer;

/** What a Split pre-tokenizer does with the matches of its pattern (Hugging Face's names). */
enum SplitBehavior {
  REMOVED,
  ISOLATED,
  MERGED_WITH_PREVIOUS,
  MERGED_WITH_NEXT,
  CONTIGUOUS;

  static SplitBehavior parse(ConfigNode json) {
    String name = json.string();
    return switch (name) {
      case "Removed" -> REMOVED;
      case "Isolated" -> ISOLATED;
      case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
      case "MergedWithNext" -> MERGED_WITH_NEXT;
      case "Contiguous" -> CONTIGUOUS;
      default -> throw json.unsupported("split behavior", name);
    };
  }

  /**
   * Emits the non-empty pieces of {@code text} given its matches ({@code spans}: start, end pairs);
   * with {@code invert} the gaps between matches play the role of the matches.
   */
  void apply(String text, int[] spans, boolean invert, Consumer<String> out) {
    // Walk the text as alternating gap/match segments, in order.
    int pending =
        -1; // start of a piece waiting for the next segment (MERGED_WITH_NEXT, CONTIGUOUS)
    int pos = 0;
    int n = spans.length / 2;
    for (int i = 0; i <= n; i++) {
      int matchStart = i < n ? spans[2 * i] : text.length();
      int matchEnd = i < n ? spans[2 * i + 1] : text.length();
      if (pos < matchStart) {
        pending = segment(text, pos, matchStart, invert, pending, out);
      }
      if (matchStart < matchEnd) {
        pending = segment(text, matchStart, matchEnd, !invert, pending, out);
      }
      pos = matchEnd;
    }
    if (pending >= 0 && pending < text.length()) {
      out.accept(text.substring(pending));
    }
  }

  /**
   * Handles one segment; returns the new start of a pending (not yet emitted) piece, or -1. A
   * pending piece always ends where the current segment starts.
   */
  private int segment(
      String text, int start, int end, boolean isMatch, int pending, Consumer<String> out) {
    switch (this) {
      case REMOVED -> {
        if (!isMatch) {
          out.accept(text.substring(start, end));
        }
        return -1;
      }
      case ISOLATED -> {
        out.accept(text.substring(start, end));
        return -1;
      }
      case MERGED_WITH_PREVIOUS -> {
        // A match joins the piece before it, which therefore stays pending until then.
        if (isMatch) {
          out.accept(text.substring(pending >= 0 ? pending : start, end));
          return -1;
        }
        if (pending >= 0) {
          out.accept(text.substring(pending, start));
        }
        return start;
      }
      case MERGED_WITH_NEXT -> {
        if (isMatch) {
          if (pending >= 0) {
            out.accept(text.substring(pending, start));
          }
          return start;
        }
        out.accept(text.substring(pending >= 0 ? pending : start, end));
        return -1;
      }
      case CONTIGUOUS -> {
        if (isMatch) {
          return pending >= 0 ? pending : start;
        }
        if (pending >= 0) {
          out.accept(text.substring(pending, start));
        }
        out.accept(text.substring(start, end));
        return -1;
      }
    }
    throw new AssertionError(this);
  }
}
