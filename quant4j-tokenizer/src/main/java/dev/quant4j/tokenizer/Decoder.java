package dev.quant4j.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code decoder} of tokenizer.json: turns tokens back into text. Like Hugging Face's {@code
 * decode_chain}, each step maps a list of token strings to a new list, and the result is their
 * concatenation.
 */
sealed interface Decoder {
  List<String> decode(List<String> tokens);

  /** Maps byte-level characters back to bytes and reads them as UTF-8 (U+FFFD where invalid). */
  record ByteLevel() implements Decoder {
    @Override
    public List<String> decode(List<String> tokens) {
      ByteBuffer bytes = ByteBuffer.allocate(4 * tokens.size() + 16);
      for (String t : tokens) {
        bytes = ensure(bytes, t.length() * 3);
        int mark = bytes.position();
        for (int i = 0; i < t.length(); i++) {
          int b = ByteLevelAlphabet.byteOf(t.charAt(i));
          if (b < 0) {
            // Not byte-level text (an added token such as "<|im_start|> x"): keep it as it is.
            bytes.position(mark);
            bytes.put(t.getBytes(StandardCharsets.UTF_8));
            break;
          }
          bytes.put((byte) b);
        }
      }
      return List.of(new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8));
    }

    private static ByteBuffer ensure(ByteBuffer b, int more) {
      if (b.remaining() >= more) {
        return b;
      }
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + more));
      return bigger.put(b.array(), 0, b.position());
    }
  }

  /** Replaces a pattern in every token. */
  record Replace(BoundedRegex pattern, String content) implements Decoder {
    @Override
    public List<String> decode(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        out.add(pattern.replaceAll(t, content));
      }
      return out;
    }
  }

  /**
   * Turns runs of {@code <0xNN>} tokens into the text their bytes spell, or one U+FFFD per byte
   * when the run is not valid UTF-8.
   */
  record ByteFallback() implements Decoder {
    @Override
    public List<String> decode(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      byte[] run = new byte[tokens.size()];
      int n = 0;
      for (String t : tokens) {
        int b = byteToken(t);
        if (b >= 0) {
          run[n++] = (byte) b;
          continue;
        }
        if (n > 0) {
          flush(run, n, out);
          n = 0;
        }
        out.add(t);
      }
      if (n > 0) {
        flush(run, n, out);
      }
      return out;
    }

    /** The byte of a {@code <0xNN>} token, or -1. */
    static int byteToken(String t) {
      if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
        return -1;
      }
      int hi = Character.digit(t.charAt(3), 16);
      int lo = Character.digit(t.charAt(4), 16);
      return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static void flush(byte[] run, int n, List<String> out) {
      try {
        out.add(
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(run, 0, n))
                .toString());
      } catch (CharacterCodingException e) {
        for (int i = 0; i < n; i++) {
          out.add("\uFFFD");
        }
      }
    }
  }

  /** Joins all tokens into one. */
  record Fuse() implements Decoder {
    @Override
    public List<String> decode(List<String> tokens) {
      return List.of(String.join("", tokens));
    }
  }

  /**
   * Removes up to {@code start} leading and {@code stop} trailing {@code content} chars per token.
   */
  record Strip(char content, int start, int stop) implements Decoder {
    @Override
    public List<String> decode(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        int from = 0;
        int to = t.length();
        while (from < start && from < to && t.charAt(from) == content) {
          from++;
        }
        while (t.length() - to < stop && to > from && t.charAt(to - 1) == content) {
          to--;
        }
        out.add(t.substring(from, to));
      }
      return out;
    }
  }

  /** SentencePiece's {@code ▁} back to spaces, dropping the one prepended to the first token. */
  record Metaspace(String replacement, boolean prepended) implements Decoder {
    @Override
    public List<String> decode(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        String t = tokens.get(i).replace(replacement, " ");
        out.add(i == 0 && prepended && t.startsWith(" ") ? t.substring(1) : t);
      }
      return out;
    }
  }

  record Sequence(List<Decoder> steps) implements Decoder {
    public Sequence {
      steps = List.copyOf(steps);
    }

    @Override
    public List<String> decode(List<String> tokens) {
      for (Decoder d : steps) {
        tokens = d.decode(tokens);
      }
      return tokens;
    }
  }

  /** Reads a decoder; {@code null} JSON means none (returns null). */
  static Decoder parse(ConfigNode json) {
    if (!json.isPresent()) {
      return null;
    }
    String type = json.type();
    return switch (type) {
      case "ByteLevel" -> new ByteLevel();
      case "Replace" -> new Replace(Patterns.parse(json.field("pattern")), json.string("content"));
      case "ByteFallback" -> new ByteFallback();
      case "Fuse" -> new Fuse();
      case "Strip" -> {
        String content = json.string("content");
        if (content.length() != 1) {
          throw json.field("content").invalid("Strip removes one character, got '" + content + "'");
        }
        yield new Strip(
            content.charAt(0),
            json.integer("start", 0, Integer.MAX_VALUE, 0),
            json.integer("stop", 0, Integer.MAX_VALUE, 0));
      }
      case "Metaspace" -> {
        String scheme =
            json.optionalString("prepend_scheme")
                .orElse(json.bool("add_prefix_space", true) ? "always" : "never");
        yield new Metaspace(json.string("replacement"), !scheme.equals("never"));
      }
      case "Sequence" -> {
        ConfigNode list = json.field("decoders");
        int n = list.arraySize();
        Decoder[] steps = new Decoder[n];
        for (int i = 0; i < n; i++) {
          steps[i] = parse(list.element(i));
          if (steps[i] == null) {
            throw list.element(i).wrongType("a decoder object");
          }
        }
        yield new Sequence(List.of(steps));
      }
      default -> throw json.field("type").unsupported("decoder", type);
    };
  }
}
