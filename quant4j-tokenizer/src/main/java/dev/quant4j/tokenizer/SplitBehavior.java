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
    // The text as consecutive segments: [start, end) and whether it is a match (after invert).
    int[] seg = new int[3 * (spans.length + 1)];
    int n = 0;
    int pos = 0;
    for (int i = 0; i <= spans.length; i += 2) {
      int matchStart = i < spans.length ? spans[i] : text.length();
      int matchEnd = i < spans.length ? spans[i + 1] : text.length();
      if (pos < matchStart) {
        seg[n++] = pos;
        seg[n++] = matchStart;
        seg[n++] = invert ? 1 : 0;
      }
      if (matchStart < matchEnd) {
        seg[n++] = matchStart;
        seg[n++] = matchEnd;
        seg[n++] = invert ? 0 : 1;
      }
      pos = matchEnd;
    }
    // Hugging Face's rules, one segment at a time: a piece [pieceStart, segment start) is open
    // until a rule closes it.
    int pieceStart = -1;
    boolean previousMatch = false;
    for (int k = 0; k < n; k += 3) {
      int start = seg[k];
      int end = seg[k + 1];
      boolean match = seg[k + 2] == 1;
      boolean joinPrevious =
          switch (this) {
            case REMOVED, ISOLATED -> false;
            case MERGED_WITH_PREVIOUS -> match && !previousMatch;
            case MERGED_WITH_NEXT -> !match && previousMatch;
            case CONTIGUOUS -> k > 0 && match == previousMatch;
          };
      boolean joinNext = this == MERGED_WITH_NEXT && match;
      if (!joinPrevious && pieceStart >= 0) {
        out.accept(text.substring(pieceStart, start));
        pieceStart = -1;
      }
      if (this == REMOVED && match) {
        previousMatch = true;
        continue;
      }
      if (pieceStart < 0) {
        pieceStart = start;
      }
      boolean keepOpen = joinNext || this == MERGED_WITH_PREVIOUS || this == CONTIGUOUS;
      if (!keepOpen) {
        out.accept(text.substring(pieceStart, end));
        pieceStart = -1;
      }
      previousMatch = match;
    }
    if (pieceStart >= 0) {
      out.accept(text.substring(pieceStart));
    }
  }
}
