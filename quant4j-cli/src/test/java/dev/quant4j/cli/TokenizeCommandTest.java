package dev.quant4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quant4j tokenize} against the golden ids of Hugging Face for tiny-llama. */
class TokenizeCommandTest {
  @TempDir Path dir;

  private static final JsonNode GOLDEN =
      BoundedJson.CONFIG.read(TestFiles.testdata("golden/tokenizer-cases.json"));

  @Test
  void fileOfStringsGivesTheGoldenIdsInOrder() throws IOException {
    Path strings = dir.resolve("strings.json");
    Files.writeString(strings, GOLDEN.get("strings").toString());
    CliRun r =
        CliRun.of(
            "tokenize", "-t", TestFiles.tinyLlama().toString(), "-f", strings.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode ids = BoundedJson.CONFIG.parse(null, r.out());
    JsonNode expected = GOLDEN.get("tokenizers").get("tiny-llama");
    assertEquals(expected.size(), ids.size());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(expected.get(i).get("ids"), ids.get(i), "string " + i);
    }
  }

  @Test
  void oneTextAsJsonHasIdsAndTokens() {
    Path tokenizerJson = TestFiles.tinyLlama().resolve("tokenizer.json");
    CliRun r = CliRun.of("tokenize", "-t", tokenizerJson.toString(), "--json", "Hello, world!");
    assertEquals(0, r.exit(), r.err());
    JsonNode o = BoundedJson.CONFIG.parse(null, r.out());
    assertEquals(GOLDEN.get("tokenizers").get("tiny-llama").get(0).get("ids"), o.get("ids"));
    // The tokens are the vocabulary's byte-level spelling of the text (Ġ stands for the space).
    StringBuilder joined = new StringBuilder();
    o.get("tokens").forEach(t -> joined.append(t.textValue()));
    assertEquals("Hello,Ġworld!", joined.toString());
    assertEquals(o.get("ids").size(), o.get("tokens").size());
  }

  @Test
  void humanOutputListsIdsAndTokens() {
    CliRun r = CliRun.of("tokenize", "-t", TestFiles.tinyLlama().toString(), "Hello, world!");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("6 tokens"), r.out());
    assertTrue(r.out().contains("747") && r.out().contains("\"He\""), r.out());
  }

  @Test
  void specialFlagAppliesThePostProcessor() throws IOException {
    // tiny-llama's post-processor adds nothing, so build one whose template adds <|endoftext|>.
    String json =
        Files.readString(TestFiles.tinyLlama().resolve("tokenizer.json"))
            .replaceFirst(
                "\"post_processor\": \\{[^}]*\\}",
                """
                "post_processor": {"type": "TemplateProcessing",
                  "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
                             {"Sequence": {"id": "A", "type_id": 0}}],
                  "pair": [], "special_tokens": {"<|endoftext|>":
                    {"id": "<|endoftext|>", "ids": [0], "tokens": ["<|endoftext|>"]}}}""");
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, json);
    CliRun with = CliRun.of("tokenize", "-t", file.toString(), "--special", "--json", "Hello");
    CliRun without = CliRun.of("tokenize", "-t", file.toString(), "--json", "Hello");
    assertEquals(0, with.exit(), with.err());
    JsonNode a = BoundedJson.CONFIG.parse(null, with.out()).get("ids");
    JsonNode b = BoundedJson.CONFIG.parse(null, without.out()).get("ids");
    assertEquals(b.size() + 1, a.size());
    assertEquals(0, a.get(0).intValue());
  }

  @Test
  void badInputsExitOneNamingTheFile() throws IOException {
    Path missing = dir.resolve("nope.json");
    CliRun r = CliRun.of("tokenize", "-t", missing.toString(), "x");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("nope.json"), r.err());
    assertEquals("", r.out());

    Path notStrings = dir.resolve("strings.json");
    Files.writeString(notStrings, "[\"ok\", 3]");
    r = CliRun.of("tokenize", "-t", TestFiles.tinyLlama().toString(), "-f", notStrings.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("strings.json") && r.err().contains("[1]"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void wrongUsageExitsTwo() throws IOException {
    Path strings = dir.resolve("s.json");
    Files.writeString(strings, "[]");
    String tok = TestFiles.tinyLlama().toString();
    assertEquals(2, CliRun.of("tokenize", "-t", tok).exit());
    assertEquals(2, CliRun.of("tokenize", "-t", tok, "-f", strings.toString(), "text").exit());
    assertEquals(2, CliRun.of("tokenize", "text").exit());
  }
}
