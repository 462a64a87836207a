package dev.quant4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.testing.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every case of testdata/golden/tokenizer-cases.json (what Hugging Face {@code tokenizers} returns)
 * must match exactly: ids without and with special tokens, the decoded text, and the streamed
 * decoding.
 */
class GoldenTokenizerTest {
  private static final JsonNode CASES =
      BoundedJson.TOKENIZER.read(TestFiles.testdata("golden/tokenizer-cases.json"));

  @Test
  void tinyLlama() {
    check("tiny-llama", Tokenizer.load(TestFiles.tinyLlama()));
  }

  @Test
  void llama2() {
    check("llama2", Tokenizer.load(TestFiles.requireShared("tokenizers/llama2/tokenizer.json")));
  }

  @Test
  void llama3() {
    check("llama3", Tokenizer.load(TestFiles.requireShared("tokenizers/llama3/tokenizer.json")));
  }

  @Test
  void qwen3() {
    check("qwen3", Tokenizer.load(TestFiles.requireShared("tokenizers/qwen3/tokenizer.json")));
  }

  @Test
  void vocabularySizesAndLookups() {
    Tokenizer tiny = Tokenizer.load(TestFiles.tinyLlama());
    assertEquals(4096, tiny.vocabSize());
    assertEquals(0, tiny.tokenToId("<|endoftext|>").orElseThrow());
    assertEquals("<|endoftext|>", tiny.idToToken(0));
    assertEquals(true, tiny.isSpecial(0));
    Path qwen = TestFiles.requireShared("tokenizers/qwen3/tokenizer.json");
    Tokenizer q = Tokenizer.load(qwen);
    assertEquals(151669, q.vocabSize());
    assertEquals(151667, q.tokenToId("<think>").orElseThrow());
    assertEquals(false, q.isSpecial(151667));
  }

  private static void check(String name, Tokenizer tokenizer) {
    JsonNode strings = CASES.get("strings");
    JsonNode expected = CASES.get("tokenizers").get(name);
    assertEquals(strings.size(), expected.size(), "cases of " + name);
    List<Executable> checks = new ArrayList<>();
    for (int i = 0; i < strings.size(); i++) {
      String text = strings.get(i).textValue();
      JsonNode c = expected.get(i);
      int[] ids = ints(c.get("ids"));
      String what = name + " case " + i + " " + quote(text);
      checks.add(() -> assertArrayEquals(ids, tokenizer.encode(text, false), what + " ids"));
      checks.add(
          () ->
              assertArrayEquals(
                  ints(c.get("ids_with_special_tokens")),
                  tokenizer.encode(text, true),
                  what + " ids with special tokens"));
      String decoded = c.get("decoded").textValue();
      checks.add(() -> assertEquals(decoded, tokenizer.decode(ids, false), what + " decoded"));
      checks.add(() -> assertEquals(decoded, streamed(tokenizer, ids), what + " streamed"));
    }
    assertAll(checks);
  }

  static String streamed(Tokenizer tokenizer, int[] ids) {
    StreamingDecoder stream = tokenizer.newStreamingDecoder(false);
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      String piece = stream.push(id);
      // A held-back piece never leaks half a character.
      if (!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1))) {
        throw new AssertionError("split surrogate pair in " + quote(piece));
      }
      sb.append(piece);
    }
    return sb.toString();
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).intValue();
    }
    return out;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
  }
}
