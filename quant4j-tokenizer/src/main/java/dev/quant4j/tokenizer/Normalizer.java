package dev.quant4j.tokenizer;

import java.util.List;
import java.util.Locale;

/** The {@code normalizer} of tokenizer.json: rewrites text before it is split into words. */
sealed interface Normalizer {
  String normalize(String text);

  /** Prepends a string to non-empty text (SentencePiece's leading {@code ▁}). */
  record Prepend(String prefix) implements Normalizer {
    @Override
    public String normalize(String text) {
      return text.isEmpty() ? text : prefix + text;
    }
  }

  /** Replaces every match of a pattern (literal or regex) with fixed content. */
  record Replace(BoundedRegex pattern, String content) implements Normalizer {
    @Override
    public String normalize(String text) {
      return pattern.replaceAll(text, content);
    }
  }

  /** One of the four Unicode normalization forms. */
  record Unicode(java.text.Normalizer.Form form) implements Normalizer {
    @Override
    public String normalize(String text) {
      return java.text.Normalizer.normalize(text, form);
    }
  }

  record Lowercase() implements Normalizer {
    @Override
    public String normalize(String text) {
      return text.toLowerCase(Locale.ROOT);
    }
  }

  /** Removes whitespace at either end, as Rust's {@code char::is_whitespace} defines it. */
  record Strip(boolean left, boolean right) implements Normalizer {
    @Override
    public String normalize(String text) {
      int start = 0;
      int end = text.length();
      while (left && start < end && Character.isWhitespace(text.codePointAt(start))) {
        start += Character.charCount(text.codePointAt(start));
      }
      while (right && end > start && Character.isWhitespace(text.codePointBefore(end))) {
        end -= Character.charCount(text.codePointBefore(end));
      }
      return text.substring(start, end);
    }
  }

  record Sequence(List<Normalizer> steps) implements Normalizer {
    public Sequence {
      steps = List.copyOf(steps);
    }

    @Override
    public String normalize(String text) {
      for (Normalizer n : steps) {
        text = n.normalize(text);
      }
      return text;
    }
  }

  /** Reads a normalizer object; {@code null} JSON means no normalizer (returns null). */
  static Normalizer parse(ConfigNode json) {
    if (!json.isPresent()) {
      return null;
    }
    String type = json.type();
    return switch (type) {
      case "Prepend" -> new Prepend(json.string("prepend"));
      case "Replace" -> new Replace(Patterns.parse(json.field("pattern")), json.string("content"));
      case "NFC" -> new Unicode(java.text.Normalizer.Form.NFC);
      case "NFD" -> new Unicode(java.text.Normalizer.Form.NFD);
      case "NFKC" -> new Unicode(java.text.Normalizer.Form.NFKC);
      case "NFKD" -> new Unicode(java.text.Normalizer.Form.NFKD);
      case "Lowercase" -> new Lowercase();
      case "Strip" -> new Strip(json.bool("strip_left", true), json.bool("strip_right", true));
      case "Sequence" -> {
        ConfigNode list = json.field("normalizers");
        int n = list.arraySize();
        Normalizer[] steps = new Normalizer[n];
        for (int i = 0; i < n; i++) {
          steps[i] = parse(list.element(i));
          if (steps[i] == null) {
            throw list.element(i).wrongType("a normalizer object");
          }
        }
        yield new Sequence(List.of(steps));
      }
      default -> throw json.field("type").unsupported("normalizer", type);
    };
  }
}
