package dev.quant4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.testing.TestFiles;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Streaming decoding holds back partial characters and agrees with whole decoding. */
class StreamingDecoderTest {
  private final Tokenizer tiny = Tokenizer.load(TestFiles.tinyLlama());

  private static List<String> pieces(Tokenizer t, int[] ids, boolean skipSpecial) {
    StreamingDecoder stream = t.newStreamingDecoder(skipSpecial);
    List<String> out = new ArrayList<>();
    for (int id : ids) {
      out.add(stream.push(id));
    }
    return out;
  }

  @Test
  void byteLevelEmojiIsHeldBackUntilComplete() {
    String text = "ok 🙂🚀 done";
    int[] ids = tiny.encode(text, false);
    List<String> pieces = pieces(tiny, ids, false);
    assertEquals(text, String.join("", pieces));
    for (String p : pieces) {
      assertFalse(p.contains("\uFFFD"), "a piece shows a partial character: " + pieces);
    }
    // A 4096-token vocabulary spells these emoji in several tokens, so some steps return nothing.
    assertTrue(pieces.contains(""), pieces.toString());
  }

  @Test
  void byteFallbackRunsAreHeldBackUntilComplete() {
    Tokenizer llama2 = Tokenizer.load(TestFiles.requireShared("tokenizers/llama2/tokenizer.json"));
    String text = "日本語 and 🙂 then ok";
    int[] ids = llama2.encode(text, false);
    List<String> pieces = pieces(llama2, ids, false);
    assertEquals(llama2.decode(ids, false), String.join("", pieces));
    assertEquals(text, String.join("", pieces));
    pieces.forEach(p -> assertFalse(p.contains("\uFFFD"), pieces.toString()));
  }

  @Test
  void skippedSpecialTokensAddNothing() {
    int[] ids = tiny.encode("<|endoftext|> in text", false);
    assertEquals(0, ids[0]);
    assertEquals(" in text", tiny.decode(ids, true));
    assertEquals("<|endoftext|> in text", tiny.decode(ids, false));
    List<String> pieces = pieces(tiny, ids, true);
    assertEquals("", pieces.get(0));
    assertEquals(" in text", String.join("", pieces));
  }

  @Test
  void invalidBytesAreReleasedRatherThanHeldForever() {
    // Bytes 0x80..0x83 (written U+0122..U+0125) are lone continuation bytes: never a character.
    int[] ids = new int[4];
    for (int i = 0; i < 4; i++) {
      ids[i] = tiny.tokenToId(String.valueOf((char) ('\u0100' + 0x22 + i))).orElseThrow();
    }
    List<String> pieces = pieces(tiny, ids, false);
    assertEquals(tiny.decode(ids, false), String.join("", pieces));
    assertFalse(String.join("", pieces).isEmpty());
  }
}
