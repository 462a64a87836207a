package dev.quant4j.tokenizer;

import dev.quant4j.error.ConfigException;
import dev.quant4j.error.ResourceLimitException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression from tokenizer.json, written for Oniguruma (what Hugging Face uses), run on
 * java.util.regex with a bound on its work.
 *
 * <p>Oniguruma treats {@code \s}, {@code \d}, {@code \w} and case-insensitivity as Unicode-aware,
 * hence {@link Pattern#UNICODE_CHARACTER_CLASS}. A few Oniguruma spellings differ from Java's and
 * are translated; anything Java cannot compile is an error naming the pattern, never a silently
 * different split.
 *
 * <p>A pattern with nested quantifiers can backtrack exponentially on a backtracking engine. Rather
 * than guessing which patterns are dangerous, the matcher reads the input through a {@link
 * CharSequence} that counts {@code charAt} calls and gives up past a budget proportional to the
 * input length, so every call ends quickly with a typed error.
 */
final class BoundedRegex {
  /**
   * Character reads allowed per input character. The pre-tokenizer patterns of GPT-2, Llama 3 and
   * Qwen read each character at most 4 times (measured on English text and on long runs of spaces,
   * newlines, letters, digits and punctuation); 256 leaves room for any legitimate pattern while
   * stopping exponential ones within milliseconds.
   */
  static final int READS_PER_CHAR = 256;

  private static final int MIN_READS = 1 << 16;

  private final Pattern pattern;
  private final Path file;
  private final String key;

  private BoundedRegex(Pattern pattern, Path file, String key) {
    this.pattern = pattern;
    this.file = file;
    this.key = key;
  }

  /** Compiles an Oniguruma pattern found at {@code key} of {@code file}. */
  static BoundedRegex compile(String source, Path file, String key) {
    try {
      return new BoundedRegex(
          Pattern.compile(translate(source), Pattern.UNICODE_CHARACTER_CLASS), file, key);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(
          file,
          key,
          "regular expression '" + source + "' cannot be compiled: " + e.getDescription(),
          e);
    }
  }

  /** The same pattern, matching literally (a {@code {"String": ...}} pattern). */
  static BoundedRegex literal(String text, Path file, String key) {
    return new BoundedRegex(Pattern.compile(Pattern.quote(text)), file, key);
  }

  String pattern() {
    return pattern.pattern();
  }

  /**
   * The matches in {@code text} as consecutive (start, end) pairs; empty matches are left out since
   * no tokenizer component gives them meaning.
   */
  int[] findAll(String text) {
    long budget = MIN_READS + (long) READS_PER_CHAR * text.length();
    Matcher m = pattern.matcher(new CountingSequence(text, budget));
    int[] spans = new int[8];
    int n = 0;
    try {
      while (m.find()) {
        if (m.end() == m.start()) {
          continue;
        }
        if (n + 2 > spans.length) {
          spans = java.util.Arrays.copyOf(spans, spans.length * 2);
        }
        spans[n++] = m.start();
        spans[n++] = m.end();
      }
    } catch (BudgetExceeded | StackOverflowError e) {
      throw new ResourceLimitException(
          file,
          key,
          "regular expression '"
              + pattern.pattern()
              + "' backtracks too much on an input of "
              + text.length()
              + " chars",
          budget + " character reads at most",
          "more");
    }
    return java.util.Arrays.copyOf(spans, n);
  }

  /** Replaces every match with {@code replacement} taken literally. */
  String replaceAll(String text, String replacement) {
    int[] spans = findAll(text);
    if (spans.length == 0) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16);
    int last = 0;
    for (int i = 0; i < spans.length; i += 2) {
      sb.append(text, last, spans[i]).append(replacement);
      last = spans[i + 1];
    }
    return sb.append(text, last, text.length()).toString();
  }

  /**
   * Rewrites the Oniguruma constructs whose Java spelling differs: {@code \h} is a hex digit in
   * Oniguruma but horizontal space in Java, and script names such as {@code \p{Han}} need Java's
   * {@code Is} prefix. Everything else these tokenizers use means the same in both.
   */
  static String translate(String source) {
    StringBuilder sb = new StringBuilder(source.length() + 8);
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c != '\\' || i + 1 >= source.length()) {
        sb.append(c);
        continue;
      }
      char next = source.charAt(i + 1);
      if (next == 'h') {
        sb.append("\\p{XDigit}");
        i++;
      } else if ((next == 'p' || next == 'P')
          && i + 2 < source.length()
          && source.charAt(i + 2) == '{') {
        int close = source.indexOf('}', i + 3);
        if (close < 0) {
          sb.append(c);
          continue;
        }
        String name = source.substring(i + 3, close);
        sb.append('\\').append(next).append('{').append(javaPropertyName(name)).append('}');
        i = close;
      } else {
        sb.append(c).append(next);
        i++;
      }
    }
    return sb.toString();
  }

  private static String javaPropertyName(String name) {
    try {
      Pattern.compile("\\p{" + name + "}");
      return name;
    } catch (PatternSyntaxException e) {
      return "Is" + name;
    }
  }

  /** Thrown without a stack trace: it is control flow out of the regex engine, not a bug. */
  private static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super(null, null, false, false);
    }
  }

  /** A view of a string that aborts the regex engine once it has read too many characters. */
  private static final class CountingSequence implements CharSequence {
    private final String text;
    private long remaining;

    CountingSequence(String text, long budget) {
      this.text = text;
      this.remaining = budget;
    }

    @Override
    public char charAt(int index) {
      if (--remaining < 0) {
        throw new BudgetExceeded();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
