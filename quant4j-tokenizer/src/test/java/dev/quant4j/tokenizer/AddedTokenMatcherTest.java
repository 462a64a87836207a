package dev.quant4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Added tokens: leftmost-longest matching, lstrip/rstrip and single_word as Hugging Face does. */
class AddedTokenMatcherTest {
  private static List<String> split(String text, AddedToken... tokens) {
    Map<String, AddedToken> patterns = new LinkedHashMap<>();
    for (AddedToken t : tokens) {
      patterns.put(t.content(), t);
    }
    List<String> out = new ArrayList<>();
    new AddedTokenMatcher(patterns)
        .split(
            text,
            true,
            new AddedTokenMatcher.Sink() {
              @Override
              public void text(String piece, boolean atStart) {
                out.add("'" + piece + "'" + (atStart ? "^" : ""));
              }

              @Override
              public void token(int id) {
                out.add("#" + id);
              }
            });
    return out;
  }

  private static AddedToken token(int id, String content, String flags) {
    return new AddedToken(
        id, content, true, flags.contains("l"), flags.contains("r"), false, flags.contains("w"));
  }

  @Test
  void longestMatchWinsAtTheSamePlace() {
    assertEquals(
        List.of("'x'^", "#2", "#1", "'y'"),
        split("x<a><b><a>y", token(1, "<a>", ""), token(2, "<a><b>", "")));
  }

  @Test
  void stripsSwallowWhitespaceOnTheirSide() {
    assertEquals(List.of("'x'^", "#1", "' y'"), split("x \t<m> y", token(1, "<m>", "l")));
    assertEquals(List.of("'x '^", "#1", "'y'"), split("x <m> \u00a0y", token(1, "<m>", "r")));
  }

  @Test
  void singleWordTokensDoNotMatchInsideWords() {
    assertEquals(List.of("'a<m>b '^", "#1", "' c'"), split("a<m>b <m> c", token(1, "<m>", "w")));
  }

  @Test
  void textWithoutTokensPassesThroughWhole() {
    assertEquals(List.of("'plain text'^"), split("plain text", token(1, "<m>", "")));
  }
}
