package dev.quant4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The five split behaviors of Hugging Face, plain and inverted, on "a1 b22" split by {@code \d}
 * (segments: a | 1 | " b" | 2 | 2). Expected pieces follow tokenizers' pre_tokenizers/split.rs.
 */
class SplitBehaviorTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "ISOLATED;false;a|1| b|2|2",
        "REMOVED;false;a| b",
        "MERGED_WITH_PREVIOUS;false;a1| b2|2",
        "MERGED_WITH_NEXT;false;a|1 b|2|2",
        "CONTIGUOUS;false;a|1| b|22",
        "ISOLATED;true;a|1| b|2|2",
        "REMOVED;true;1|2|2",
        "MERGED_WITH_PREVIOUS;true;a|1 b|2|2",
        "MERGED_WITH_NEXT;true;a1| b2|2",
        "CONTIGUOUS;true;a|1| b|22",
      })
  void splitsLikeHuggingFace(SplitBehavior behavior, boolean invert, String expected) {
    BoundedRegex digit = BoundedRegex.compile("\\d", null, "test");
    List<String> pieces = new ArrayList<>();
    String text = "a1 b22";
    behavior.apply(text, digit.findAll(text), invert, pieces::add);
    assertEquals(List.of(expected.split("\\|")), pieces);
  }
}
