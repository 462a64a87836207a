package dev.quant4j.tokenizer;

/**
 * An entry of {@code added_tokens}: text matched before normalization and BPE, and kept whole.
 *
 * @param special skipped by {@code decode(ids, true)}
 * @param lstrip the match also swallows whitespace on its left
 * @param rstrip the match also swallows whitespace on its right
 * @param normalized matched in normalized text rather than the raw input
 * @param singleWord matched only when not inside a word
 */
record AddedToken(
    int id,
    String content,
    boolean special,
    boolean lstrip,
    boolean rstrip,
    boolean normalized,
    boolean singleWord) {

  static AddedToken parse(ConfigNode json, int maxId) {
    json.requireObject();
    String content = json.string("content");
    if (content.isEmpty()) {
      throw json.field("content").invalid("an added token cannot be empty");
    }
    return new AddedToken(
        json.field("id").integer(0, maxId),
        content,
        json.bool("special", false),
        json.bool("lstrip", false),
        json.bool("rstrip", false),
        json.bool("normalized", !json.bool("special", false)),
        json.bool("single_word", false));
  }

  /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
  static boolean isWhitespace(int cp) {
    return (cp >= 9 && cp <= 13)
        || cp == ' '
        || cp == 0x85
        || cp == 0xA0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }
}
