package dev.quant4j.tokenizer;

import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code pre_tokenizer} of tokenizer.json: cuts normalized text into the words that BPE encodes
 * one by one, and may rewrite them (byte-level mapping, {@code ▁} for spaces).
 */
sealed interface PreTokenizer {
  /**
   * Passes the words of {@code text} to {@code out} in order; {@code atStart} says whether the text
   * begins the input (not after an added token), which Metaspace's "first" scheme depends on.
   */
  void split(String text, boolean atStart, Consumer<String> out);

  /** GPT-2's split, used by ByteLevel when {@code use_regex} is set. */
  String GPT2_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  /** Splits on a pattern and keeps, drops or attaches the matches as {@code behavior} says. */
  record Split(BoundedRegex pattern, SplitBehavior behavior, boolean invert)
      implements PreTokenizer {
    @Override
    public void split(String text, boolean atStart, Consumer<String> out) {
      behavior.apply(text, pattern.findAll(text), invert, out);
    }
  }

  /** Maps each word's UTF-8 bytes to the byte-level alphabet, optionally splitting GPT-2 style. */
  record ByteLevel(boolean addPrefixSpace, BoundedRegex gpt2) implements PreTokenizer {
    @Override
    public void split(String text, boolean atStart, Consumer<String> out) {
      String s = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
      if (gpt2 == null) {
        out.accept(ByteLevelAlphabet.encode(s));
        return;
      }
      SplitBehavior.ISOLATED.apply(
          s, gpt2.findAll(s), false, word -> out.accept(ByteLevelAlphabet.encode(word)));
    }
  }

  /**
   * SentencePiece's whitespace handling: spaces become {@code replacement}, which may be prepended,
   * and each word starts at a replacement character.
   *
   * <p>Scheme "first" prepends to the text that begins the input. Hugging Face decides by original
   * offsets instead, so it differs when a normalizer removed or rewrote the input's first
   * characters (a Strip normalizer before Metaspace); no tokenizer we know combines the two.
   */
  record Metaspace(String replacement, String prependScheme, boolean splitWords)
      implements PreTokenizer {
    @Override
    public void split(String text, boolean atStart, Consumer<String> out) {
      String s = text.replace(" ", replacement);
      boolean prepend =
          switch (prependScheme) {
            case "always" -> true;
            case "first" -> atStart;
            default -> false;
          };
      if (prepend && !s.startsWith(replacement)) {
        s = replacement + s;
      }
      if (!splitWords) {
        out.accept(s);
        return;
      }
      int start = 0;
      for (int i = s.indexOf(replacement, 1); i > 0; i = s.indexOf(replacement, i + 1)) {
        out.accept(s.substring(start, i));
        start = i;
      }
      if (start < s.length()) {
        out.accept(s.substring(start));
      }
    }
  }

  record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
    public Sequence {
      steps = List.copyOf(steps);
    }

    @Override
    public void split(String text, boolean atStart, Consumer<String> out) {
      run(0, text, atStart, out);
    }

    private void run(int step, String text, boolean atStart, Consumer<String> out) {
      if (step == steps.size()) {
        out.accept(text);
        return;
      }
      // Only the first word of the input is "at start" for the following steps.
      boolean[] first = {atStart};
      steps
          .get(step)
          .split(
              text,
              atStart,
              word -> {
                run(step + 1, word, first[0], out);
                first[0] = false;
              });
    }
  }

  /** Reads a pre-tokenizer object; {@code null} JSON means none (returns null). */
  static PreTokenizer parse(ConfigNode json) {
    if (!json.isPresent()) {
      return null;
    }
    String type = json.type();
    return switch (type) {
      case "Split" ->
          new Split(
              Patterns.parse(json.field("pattern")),
              SplitBehavior.parse(json.field("behavior")),
              json.bool("invert", false));
      case "ByteLevel" ->
          new ByteLevel(
              json.bool("add_prefix_space", true),
              json.bool("use_regex", true)
                  ? BoundedRegex.compile(GPT2_PATTERN, json.file(), json.key() + ".use_regex")
                  : null);
      case "Metaspace" -> {
        String scheme =
            json.optionalString("prepend_scheme")
                .orElse(json.bool("add_prefix_space", true) ? "always" : "never");
        if (!List.of("always", "first", "never").contains(scheme)) {
          throw json.field("prepend_scheme").unsupported("prepend_scheme", scheme);
        }
        yield new Metaspace(json.string("replacement"), scheme, json.bool("split", true));
      }
      case "Sequence" -> {
        ConfigNode list = json.field("pretokenizers");
        int n = list.arraySize();
        PreTokenizer[] steps = new PreTokenizer[n];
        for (int i = 0; i < n; i++) {
          steps[i] = parse(list.element(i));
          if (steps[i] == null) {
            throw list.element(i).wrongType("a pre-tokenizer object");
          }
        }
        yield new Sequence(List.of(steps));
      }
      default -> throw json.field("type").unsupported("pre_tokenizer", type);
    };
  }
}
