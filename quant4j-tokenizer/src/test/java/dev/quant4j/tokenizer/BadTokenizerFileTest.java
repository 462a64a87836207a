package dev.quant4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.error.ResourceLimitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer cases of bad-inputs.md: every defect is a typed error naming file and key. */
class BadTokenizerFileTest {
  @TempDir Path dir;

  /** A minimal byte-level BPE over "a", "b", "ab", with the given merges and pre-tokenizer. */
  private Path tokenizer(String merges, String preTokenizer) throws IOException {
    String json =
        """
        {"version": "1.0", "added_tokens": [],
         "normalizer": null,
         "pre_tokenizer": %s,
         "post_processor": null,
         "decoder": {"type": "ByteLevel"},
         "model": {"type": "BPE", "unk_token": null, "vocab": {"a": 0, "b": 1, "ab": 2, "c": 3},
                   "merges": %s}}
        """
            .formatted(preTokenizer, merges);
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void bothMergeFormsGiveTheSameTokenizer() throws IOException {
    int[] legacy = Tokenizer.load(tokenizer("[\"a b\"]", "null")).encode("abca", false);
    int[] pairs = Tokenizer.load(tokenizer("[[\"a\", \"b\"]]", "null")).encode("abca", false);
    assertArrayEquals(new int[] {2, 3, 0}, legacy);
    assertArrayEquals(legacy, pairs);
  }

  @Test
  void malformedMergesAreErrorsNamingTheEntry() throws IOException {
    for (String merges :
        new String[] {
          "[\"a b\", \"ab\"]",
          "[\"a b\", \"a b c\"]",
          "[\"a b\", 7]",
          "[\"a b\", [\"a\"]]",
          "[\"a b\", [\"a\", \"b\", \"c\"]]",
          "[\"a b\", [\"a\", 1]]"
        }) {
      Path file = tokenizer(merges, "null");
      ConfigException e = assertThrows(ConfigException.class, () -> Tokenizer.load(file), merges);
      assertEquals("model.merges[1]", e.key(), merges);
      assertEquals(file, e.file().orElseThrow());
    }
  }

  @Test
  void mergeOfUnknownTokenIsAnErrorNotZeroMerges() throws IOException {
    Path file = tokenizer("[\"a b\", \"a x\"]", "null");
    ConfigException e = assertThrows(ConfigException.class, () -> Tokenizer.load(file));
    assertEquals("model.merges[1]", e.key());
    assertTrue(e.getMessage().contains("x"), e.getMessage());
    // The merged token must exist too.
    Path noResult = tokenizer("[\"a b\", \"b c\"]", "null");
    assertEquals(
        "model.merges[1]",
        assertThrows(ConfigException.class, () -> Tokenizer.load(noResult)).key());
  }

  @Test
  void regexJavaCannotCompileIsAnErrorNamingIt() throws IOException {
    Path file =
        tokenizer(
            "[]",
            "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(?<x\"}, \"behavior\": \"Isolated\"}");
    ConfigException e = assertThrows(ConfigException.class, () -> Tokenizer.load(file));
    assertEquals("pre_tokenizer.pattern.Regex", e.key());
    assertTrue(e.getMessage().contains("(?<x"), e.getMessage());
  }

  @Test
  void catastrophicBacktrackingEndsFastWithATypedError() throws IOException {
    Path file =
        tokenizer(
            "[]",
            "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"((a+)+)+b\"}, \"behavior\":"
                + " \"Isolated\"}");
    Tokenizer t = Tokenizer.load(file);
    // Unbounded, java.util.regex needs over 10 s for 25 chars of this; here 5000 fail fast.
    String evil = "a".repeat(5000) + "c";
    ResourceLimitException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> assertThrows(ResourceLimitException.class, () -> t.encode(evil, false)));
    assertTrue(e.getMessage().contains("((a+)+)+b"), e.getMessage());
    // The same pattern on harmless input works, so the bound is not a blanket refusal.
    assertArrayEquals(new int[] {0, 1, 3}, t.encode("abc", false));
  }

  @Test
  void unsupportedComponentsAreNamed() throws IOException {
    Path file = tokenizer("[]", "{\"type\": \"BertPreTokenizer\"}");
    NotSupportedException e = assertThrows(NotSupportedException.class, () -> Tokenizer.load(file));
    assertTrue(e.getMessage().contains("BertPreTokenizer"), e.getMessage());
    assertTrue(e.getMessage().contains("pre_tokenizer.type"), e.getMessage());
  }

  @Test
  void invalidJsonAndMissingFilesAreTyped() throws IOException {
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"model\": {\"vocab\": {\"a\": NaN}}}");
    assertThrows(ConfigException.class, () -> Tokenizer.load(broken));
    Path negative = dir.resolve("negative.json");
    Files.writeString(negative, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -1}}}");
    assertEquals(
        "model.vocab[\"a\"]",
        assertThrows(ConfigException.class, () -> Tokenizer.load(negative)).key());
    assertThrows(CheckpointIoException.class, () -> Tokenizer.load(dir.resolve("absent")));
  }

  @Test
  void idsOutsideTheVocabularyAreTyped() throws IOException {
    Tokenizer t = Tokenizer.load(tokenizer("[\"a b\"]", "null"));
    assertThrows(dev.quant4j.error.FormatException.class, () -> t.decode(new int[] {4}, false));
    assertThrows(dev.quant4j.error.FormatException.class, () -> t.idToToken(-1));
  }
}
