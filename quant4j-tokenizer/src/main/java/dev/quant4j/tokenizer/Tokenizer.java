package dev.quant4j.tokenizer;

import dev.quant4j.error.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A tokenizer read from Hugging Face's {@code tokenizer.json}, giving the same ids and text as the
 * {@code tokenizers} library: BPE with byte-level or SentencePiece-style (byte fallback) alphabets,
 * added and special tokens, the post-processor's special tokens and the decoder chain.
 *
 * <p>Immutable and thread-safe; load once and share.
 */
public final class Tokenizer {
  private final Path file;
  private final String[] tokens; // by id; null where no token has the id
  private final boolean[] special;
  private final Map<String, Integer> addedIds;
  private final Map<String, Integer> vocab;
  private final AddedTokenMatcher rawAdded;
  private final AddedTokenMatcher normalizedAdded;
  private final Normalizer normalizer; // null: none
  private final PreTokenizer preTokenizer; // null: none
  private final Bpe model;
  private final PostProcessor postProcessor;
  private final Decoder decoder; // null: tokens joined by spaces, as Hugging Face does

  Tokenizer(
      Path file,
      String[] tokens,
      boolean[] special,
      Map<String, Integer> addedIds,
      Map<String, Integer> vocab,
      AddedTokenMatcher rawAdded,
      AddedTokenMatcher normalizedAdded,
      Normalizer normalizer,
      PreTokenizer preTokenizer,
      Bpe model,
      PostProcessor postProcessor,
      Decoder decoder) {
    this.file = file;
    this.tokens = tokens;
    this.special = special;
    this.addedIds = Map.copyOf(addedIds);
    this.vocab = vocab;
    this.rawAdded = rawAdded;
    this.normalizedAdded = normalizedAdded;
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.model = model;
    this.postProcessor = postProcessor;
    this.decoder = decoder;
  }

  /**
   * Reads a {@code tokenizer.json}, or the one in a model folder.
   *
   * @throws dev.quant4j.error.Quant4jException naming the file and key when it is missing,
   *     malformed, or uses a component that is not supported
   */
  public static Tokenizer load(Path tokenizerJsonOrModelDir) {
    Path file =
        Files.isDirectory(tokenizerJsonOrModelDir)
            ? tokenizerJsonOrModelDir.resolve("tokenizer.json")
            : tokenizerJsonOrModelDir;
    return TokenizerBuilder.build(TokenizerFile.read(file));
  }

  /** The file this tokenizer was read from. */
  public Path file() {
    return file;
  }

  /**
   * The ids of {@code text}; with {@code addSpecialTokens} the post-processor's special tokens
   * (such as {@code <s>}) are added. Added tokens written in the text are always recognized.
   *
   * @throws dev.quant4j.error.ResourceLimitException when a pattern of the file backtracks beyond
   *     its budget on this text
   */
  public int[] encode(String text, boolean addSpecialTokens) {
    IntList out = new IntList(text.length() / 3 + 4);
    rawAdded.split(
        text,
        true,
        new AddedTokenMatcher.Sink() {
          @Override
          public void text(String piece, boolean atStart) {
            String normalized = normalizer == null ? piece : normalizer.normalize(piece);
            normalizedAdded.split(normalized, atStart, words(out));
          }

          @Override
          public void token(int id) {
            out.add(id);
          }
        });
    int[] ids = out.toArray();
    return addSpecialTokens ? postProcessor.process(ids) : ids;
  }

  private AddedTokenMatcher.Sink words(IntList out) {
    return new AddedTokenMatcher.Sink() {
      @Override
      public void text(String piece, boolean atStart) {
        if (preTokenizer == null) {
          model.encode(piece, out);
        } else {
          preTokenizer.split(
              piece,
              atStart,
              word -> {
                if (!word.isEmpty()) {
                  model.encode(word, out);
                }
              });
        }
      }

      @Override
      public void token(int id) {
        out.add(id);
      }
    };
  }

  /**
   * The text of {@code ids}, through the file's decoder; {@code skipSpecialTokens} leaves out the
   * added tokens marked special.
   *
   * @throws FormatException when an id is not in the vocabulary
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> pieces = new ArrayList<>(ids.length);
    for (int id : ids) {
      String token = token(id);
      if (!(skipSpecialTokens && special[id])) {
        pieces.add(token);
      }
    }
    if (decoder == null) {
      return String.join(" ", pieces);
    }
    return String.join("", decoder.decode(pieces));
  }

  /** A decoder for ids arriving one at a time, such as generated tokens. */
  public StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
    return new StreamingDecoder(this, skipSpecialTokens);
  }

  /** The number of ids, added tokens included (one more than the largest id). */
  public int vocabSize() {
    return tokens.length;
  }

  /** The id of a token of the vocabulary or of the added tokens. */
  public OptionalInt tokenToId(String token) {
    Integer id = addedIds.get(token);
    if (id == null) {
      id = vocab.get(token);
    }
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * The token with this id, as written in the vocabulary (byte-level or {@code ▁} form).
   *
   * @throws FormatException when the id is not in the vocabulary
   */
  public String idToToken(int id) {
    return token(id);
  }

  /** Whether the id is an added token marked special (skipped when decoding without specials). */
  public boolean isSpecial(int id) {
    token(id);
    return special[id];
  }

  private String token(int id) {
    String t = id >= 0 && id < tokens.length ? tokens[id] : null;
    if (t == null) {
      throw new FormatException(
          file,
          "token id " + id,
          "not in the vocabulary",
          "an id in 0.." + (tokens.length - 1),
          id);
    }
    return t;
  }
}
