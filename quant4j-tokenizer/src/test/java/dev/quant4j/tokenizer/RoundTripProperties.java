package dev.quant4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.testing.TestFiles;
import java.nio.file.Files;
import java.text.Normalizer;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Byte-level BPE loses nothing: decode(encode(s)) gives s back for any Unicode text (after the
 * tokenizer's own normalizer), and streaming decoding gives the same text piece by piece.
 */
class RoundTripProperties {
  private final Tokenizer tiny = Tokenizer.load(TestFiles.tinyLlama());
  private final Optional<Tokenizer> llama3 = shared("tokenizers/llama3/tokenizer.json");
  private final Optional<Tokenizer> qwen3 = shared("tokenizers/qwen3/tokenizer.json");

  private static Optional<Tokenizer> shared(String relative) {
    return TestFiles.shared()
        .map(root -> root.resolve(relative))
        .filter(Files::exists)
        .map(Tokenizer::load);
  }

  @Provide
  Arbitrary<String> unicode() {
    // Valid code points from every plane (no lone surrogates, which UTF-8 cannot carry), mixed
    // with the ASCII, digits and whitespace that drive the pre-tokenizer's splits.
    Arbitrary<Integer> any =
        Arbitraries.integers()
            .between(0, Character.MAX_CODE_POINT)
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
    Arbitrary<Integer> common =
        Arbitraries.of(
            List.of((int) ' ', (int) '\n', (int) '\t', (int) '\'', (int) '7', (int) 'a'));
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(1, any),
            net.jqwik.api.Tuple.of(1, common),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x20, 0x7E)))
        .list()
        .ofMaxSize(40)
        .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
  }

  @Property(tries = 300)
  void tinyLlamaRoundTrips(@ForAll("unicode") String text) {
    roundTrip(tiny, text, text);
  }

  @Property(tries = 300)
  void llama3RoundTrips(@ForAll("unicode") String text) {
    Assume.that(llama3.isPresent());
    roundTrip(llama3.orElseThrow(), text, text);
  }

  @Property(tries = 300)
  void qwen3RoundTripsUpToItsNfcNormalizer(@ForAll("unicode") String text) {
    Assume.that(qwen3.isPresent());
    roundTrip(qwen3.orElseThrow(), text, Normalizer.normalize(text, Normalizer.Form.NFC));
  }

  private static void roundTrip(Tokenizer tokenizer, String text, String expected) {
    int[] ids = tokenizer.encode(text, false);
    assertEquals(expected, tokenizer.decode(ids, false));
    assertEquals(expected, GoldenTokenizerTest.streamed(tokenizer, ids));
  }
}
