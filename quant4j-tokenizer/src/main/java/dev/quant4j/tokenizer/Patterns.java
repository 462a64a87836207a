package dev.quant4j.tokenizer;

/** Reads the {@code {"String": ...}} / {@code {"Regex": ...}} pattern objects of tokenizer.json. */
final class Patterns {
  private Patterns() {}

  static BoundedRegex parse(ConfigNode json) {
    json.requireObject();
    ConfigNode literal = json.field("String");
    if (literal.isPresent()) {
      return BoundedRegex.literal(literal.string(), json.file(), literal.key());
    }
    ConfigNode regex = json.field("Regex");
    if (regex.isPresent()) {
      return BoundedRegex.compile(regex.string(), json.file(), regex.key());
    }
    throw json.invalid("a pattern needs a 'String' or a 'Regex' key");
  }
}
