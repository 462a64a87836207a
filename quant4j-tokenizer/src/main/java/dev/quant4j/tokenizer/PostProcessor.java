package dev.quant4j.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The {@code post_processor} of tokenizer.json, as it applies to the ids of a single sequence: the
 * special tokens it adds around them ({@code <s>}, {@code [CLS]}...) when special tokens are asked
 * for. Offsets are not tracked, so ByteLevel's offset trimming is nothing here.
 */
sealed interface PostProcessor {
  int[] process(int[] ids);

  /** Leaves the ids as they are (ByteLevel, or no post-processor). */
  record Identity() implements PostProcessor {
    @Override
    public int[] process(int[] ids) {
      return ids;
    }
  }

  /** Puts fixed ids before and after the sequence (TemplateProcessing, Bert, Roberta). */
  record Wrap(int[] before, int[] after) implements PostProcessor {
    public Wrap {
      before = before.clone();
      after = after.clone();
    }

    @Override
    public int[] process(int[] ids) {
      int[] out = new int[before.length + ids.length + after.length];
      System.arraycopy(before, 0, out, 0, before.length);
      System.arraycopy(ids, 0, out, before.length, ids.length);
      System.arraycopy(after, 0, out, before.length + ids.length, after.length);
      return out;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Wrap w
          && Arrays.equals(before, w.before)
          && Arrays.equals(after, w.after);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(before) + Arrays.hashCode(after);
    }

    @Override
    public String toString() {
      return "Wrap" + Arrays.toString(before) + Arrays.toString(after);
    }
  }

  record Sequence(List<PostProcessor> steps) implements PostProcessor {
    public Sequence {
      steps = List.copyOf(steps);
    }

    @Override
    public int[] process(int[] ids) {
      for (PostProcessor p : steps) {
        ids = p.process(ids);
      }
      return ids;
    }
  }

  /** Reads a post-processor; ids it names must lie below {@code vocabSize}. */
  static PostProcessor parse(ConfigNode json, int vocabSize) {
    if (!json.isPresent()) {
      return new Identity();
    }
    String type = json.type();
    return switch (type) {
      case "ByteLevel" -> new Identity();
      case "TemplateProcessing" -> template(json, vocabSize);
      case "BertProcessing", "RobertaProcessing" ->
          new Wrap(
              new int[] {pairId(json.field("cls"), vocabSize)},
              new int[] {pairId(json.field("sep"), vocabSize)});
      case "Sequence" -> {
        ConfigNode list = json.field("processors");
        int n = list.arraySize();
        PostProcessor[] steps = new PostProcessor[n];
        for (int i = 0; i < n; i++) {
          steps[i] = parse(list.element(i), vocabSize);
        }
        yield new Sequence(List.of(steps));
      }
      default -> throw json.field("type").unsupported("post_processor", type);
    };
  }

  /** {@code ["<s>", 1]}: a token and its id. */
  private static int pairId(ConfigNode pair, int vocabSize) {
    if (pair.arraySize() != 2) {
      throw pair.wrongType("a [token, id] pair");
    }
    return pair.element(1).integer(0, vocabSize - 1);
  }

  private static PostProcessor template(ConfigNode json, int vocabSize) {
    ConfigNode single = json.field("single");
    ConfigNode specials = json.field("special_tokens");
    IntList before = new IntList(4);
    IntList after = new IntList(4);
    boolean seenSequence = false;
    for (int i = 0, n = single.arraySize(); i < n; i++) {
      ConfigNode item = single.element(i);
      ConfigNode special = item.field("SpecialToken");
      if (special.isPresent()) {
        String name = special.string("id");
        ConfigNode entry = specials.field(name);
        if (!entry.isPresent()) {
          throw entry.invalid("the template names special token '" + name + "', not defined");
        }
        ConfigNode ids = entry.field("ids");
        for (int k = 0, m = ids.arraySize(); k < m; k++) {
          (seenSequence ? after : before).add(ids.element(k).integer(0, vocabSize - 1));
        }
      } else if (item.field("Sequence").isPresent()) {
        if (seenSequence) {
          throw item.invalid("a single-sequence template holds its sequence once");
        }
        seenSequence = true;
      } else {
        throw item.wrongType("{\"SpecialToken\": ...} or {\"Sequence\": ...}");
      }
    }
    if (!seenSequence) {
      throw single.invalid("the template has no Sequence item");
    }
    return new Wrap(before.toArray(), after.toArray());
  }
}
