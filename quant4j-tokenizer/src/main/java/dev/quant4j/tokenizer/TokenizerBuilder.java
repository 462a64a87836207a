package dev.quant4j.tokenizer;

import dev.quant4j.error.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the contents of a tokenizer.json into a {@link Tokenizer}, checking it on the way. */
final class TokenizerBuilder {
  private TokenizerBuilder() {}

  static Tokenizer build(TokenizerFile f) {
    Path file = f.file();
    // Files written by older versions of tokenizers have no model type: those are BPE.
    String type = f.modelField("type").isPresent() ? f.modelField("type").string() : "BPE";
    if (!type.equals("BPE")) {
      throw f.modelField("type").unsupported("tokenizer model", type);
    }
    ConfigNode dropout = f.modelField("dropout");
    if (dropout.isPresent() && dropout.node().asDouble() != 0.0) {
      throw dropout.unsupported("BPE dropout (random tokenization)", dropout.node().toString());
    }

    List<AddedToken> added = addedTokens(f.section("added_tokens"));
    int maxId = -1;
    for (int id : f.vocab().values()) {
      maxId = Math.max(maxId, id);
    }
    for (AddedToken t : added) {
      maxId = Math.max(maxId, t.id());
    }
    String[] tokens = new String[maxId + 1];
    for (Map.Entry<String, Integer> e : f.vocab().entrySet()) {
      String previous = tokens[e.getValue()];
      if (previous != null) {
        throw new ConfigException(
            file,
            "model.vocab[\"" + e.getKey() + "\"]",
            "id " + e.getValue() + " is also the id of \"" + previous + "\"",
            "distinct ids",
            e.getValue());
      }
      tokens[e.getValue()] = e.getKey();
    }
    boolean[] special = new boolean[tokens.length];
    Map<String, Integer> addedIds = new HashMap<>();
    for (AddedToken t : added) {
      tokens[t.id()] = t.content();
      special[t.id()] = t.special();
      addedIds.put(t.content(), t.id());
    }

    Normalizer normalizer = Normalizer.parse(f.section("normalizer"));
    Map<String, AddedToken> raw = new LinkedHashMap<>();
    Map<String, AddedToken> normalized = new LinkedHashMap<>();
    for (AddedToken t : added) {
      if (t.normalized() && normalizer != null) {
        normalized.putIfAbsent(normalizer.normalize(t.content()), t);
      } else {
        raw.putIfAbsent(t.content(), t);
      }
    }

    return new Tokenizer(
        file,
        tokens,
        special,
        addedIds,
        f.vocab(),
        new AddedTokenMatcher(raw),
        new AddedTokenMatcher(normalized),
        normalizer,
        PreTokenizer.parse(f.section("pre_tokenizer")),
        bpe(f),
        PostProcessor.parse(f.section("post_processor"), tokens.length),
        Decoder.parse(f.section("decoder")));
  }

  private static List<AddedToken> addedTokens(ConfigNode list) {
    if (!list.isPresent()) {
      return List.of();
    }
    int n = list.arraySize();
    AddedToken[] out = new AddedToken[n];
    for (int i = 0; i < n; i++) {
      out[i] = AddedToken.parse(list.element(i), TokenizerFile.MAX_VOCAB - 1);
    }
    return List.of(out);
  }

  private static Bpe bpe(TokenizerFile f) {
    Map<String, Integer> vocab = f.vocab();
    ConfigNode model = new ConfigNode(f.file(), "model", f.model());
    String prefix = model.optionalString("continuing_subword_prefix").orElse("");
    String suffix = model.optionalString("end_of_word_suffix").orElse("");

    List<String> merges = f.merges();
    int n = merges.size() / 2;
    int[] left = new int[n];
    int[] right = new int[n];
    int[] result = new int[n];
    for (int r = 0; r < n; r++) {
      String a = merges.get(2 * r);
      String b = merges.get(2 * r + 1);
      left[r] = known(vocab, a, f.file(), r);
      right[r] = known(vocab, b, f.file(), r);
      // The right part's continuation prefix is not repeated inside the merged token.
      String joined = a + (b.startsWith(prefix) ? b.substring(prefix.length()) : b);
      result[r] = known(vocab, joined, f.file(), r);
    }

    ConfigNode unk = model.field("unk_token");
    int unkId = unk.isPresent() ? known(vocab, unk.string(), f.file(), unk.key()) : -1;
    int[] byteTokens = null;
    if (model.bool("byte_fallback", false)) {
      byteTokens = new int[256];
      for (int b = 0; b < 256; b++) {
        Integer id = vocab.get(String.format("<0x%02X>", b));
        byteTokens[b] = id == null ? -1 : id;
      }
    }
    return new Bpe(
        vocab,
        MergeTable.of(left, right, result),
        unkId,
        model.bool("fuse_unk", false),
        model.bool("ignore_merges", false),
        prefix,
        suffix,
        byteTokens);
  }

  private static int known(Map<String, Integer> vocab, String token, Path file, int merge) {
    Integer id = vocab.get(token);
    if (id == null) {
      return known(vocab, token, file, "model.merges[" + merge + "]");
    }
    return id;
  }

  private static int known(Map<String, Integer> vocab, String token, Path file, String key) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new ConfigException(
          file,
          key,
          "names a token that is not in the vocabulary",
          "a token of model.vocab",
          token);
    }
    return id;
  }
}
