package dev.quant4j.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text, leftmost first and longest among those starting at the same place
 * (Hugging Face's Aho-Corasick "leftmost longest"), honouring {@code single_word}, {@code lstrip}
 * and {@code rstrip}. Immutable.
 */
final class AddedTokenMatcher {
  /** Receives the pieces of a text: plain text to tokenize, or an added token's id. */
  interface Sink {
    void text(String text, boolean atStart);

    void token(int id);
  }

  /** A token and the text that stands for it (its content, normalized for normalized tokens). */
  private record Candidate(String text, AddedToken token) {}

  /** Candidates by first char, longest first so that the first hit is the longest. */
  private final Map<Character, Candidate[]> byFirstChar;

  /**
   * @param patterns each text to look for and the token it stands for
   */
  AddedTokenMatcher(Map<String, AddedToken> patterns) {
    Map<Character, List<Candidate>> groups = new HashMap<>();
    patterns.forEach(
        (text, token) -> {
          if (!text.isEmpty()) {
            groups
                .computeIfAbsent(text.charAt(0), c -> new ArrayList<>())
                .add(new Candidate(text, token));
          }
        });
    Map<Character, Candidate[]> index = new HashMap<>();
    groups.forEach(
        (c, list) -> {
          list.sort(Comparator.comparingInt((Candidate k) -> k.text().length()).reversed());
          index.put(c, list.toArray(Candidate[]::new));
        });
    this.byFirstChar = Map.copyOf(index);
  }

  boolean isEmpty() {
    return byFirstChar.isEmpty();
  }

  /**
   * Cuts {@code text} into plain pieces and added tokens, in order, passing them to {@code sink}.
   */
  void split(String text, boolean atStart, Sink sink) {
    if (byFirstChar.isEmpty()) {
      sink.text(text, atStart);
      return;
    }
    int emitted = 0; // end of what has been passed to the sink
    int i = 0;
    while (i < text.length()) {
      Candidate[] candidates = byFirstChar.get(text.charAt(i));
      Candidate hit = null;
      if (candidates != null) {
        for (Candidate c : candidates) {
          if (text.startsWith(c.text(), i)) {
            hit = c;
            break;
          }
        }
      }
      if (hit == null) {
        i++;
        continue;
      }
      int start = i;
      int stop = i + hit.text().length();
      if (hit.token().singleWord()
          && !(isBoundary(text, start, true) && isBoundary(text, stop, false))) {
        i = stop; // as in Hugging Face, a rejected match is not searched again for shorter ones
        continue;
      }
      if (hit.token().lstrip()) {
        while (start > emitted && AddedToken.isWhitespace(text.codePointBefore(start))) {
          start -= Character.charCount(text.codePointBefore(start));
        }
      }
      if (hit.token().rstrip()) {
        while (stop < text.length() && AddedToken.isWhitespace(text.codePointAt(stop))) {
          stop += Character.charCount(text.codePointAt(stop));
        }
      }
      if (start > emitted) {
        sink.text(text.substring(emitted, start), atStart && emitted == 0);
      }
      sink.token(hit.token().id());
      emitted = stop;
      i = stop;
    }
    if (emitted < text.length()) {
      sink.text(text.substring(emitted), atStart && emitted == 0);
    }
  }

  private static boolean isBoundary(String text, int at, boolean before) {
    if (before ? at == 0 : at == text.length()) {
      return true;
    }
    int cp = before ? text.codePointBefore(at) : text.codePointAt(at);
    return !(Character.isLetterOrDigit(cp) || cp == '_');
  }
}
