package dev.quant4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quant4j tokenize -t PATH [--special] (-f STRINGS.json | TEXT) [--json]}: the ids a
 * tokenizer gives, for checking quant4j against Hugging Face {@code tokenizers} string by string.
 */
@Command(
    name = "tokenize",
    description = "Print the token ids of a text or of a JSON list of texts.")
final class TokenizeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-t", "--tokenizer"},
      required = true,
      paramLabel = "PATH",
      description = "A tokenizer.json or a model folder holding one.")
  Path tokenizer;

  @Option(names = "--special", description = "Add the post-processor's special tokens (bos...).")
  boolean special;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "STRINGS.json",
      description = "A JSON array of strings to tokenize, instead of TEXT.")
  Path file;

  @Option(names = "--json", description = "Print JSON only.")
  boolean json;

  @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to tokenize.")
  String text;

  @Override
  public Integer call() {
    if ((file == null) == (text == null)) {
      throw new UsageException("tokenize needs exactly one of -f STRINGS.json or TEXT");
    }
    List<String> texts = file != null ? readStrings(file) : List.of(text);
    Tokenizer tok = Tokenizer.load(tokenizer);
    PrintWriter out = spec.commandLine().getOut();
    if (file != null) {
      ArrayNode all = JsonNodeFactory.instance.arrayNode(texts.size());
      for (String s : texts) {
        int[] ids = tok.encode(s, special);
        if (json) {
          all.add(Json.ints(ids));
        } else {
          out.println(
              IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
      }
      if (json) {
        out.println(Json.write(all));
      }
    } else {
      int[] ids = tok.encode(text, special);
      List<String> tokens = IntStream.of(ids).mapToObj(tok::idToToken).toList();
      if (json) {
        ObjectNode o = Json.object();
        o.set("ids", Json.ints(ids));
        ArrayNode t = o.putArray("tokens");
        tokens.forEach(t::add);
        out.println(Json.write(o));
      } else {
        out.println(ids.length + " tokens");
        for (int i = 0; i < ids.length; i++) {
          out.printf(
              "%8d  %s%n", ids[i], Json.write(JsonNodeFactory.instance.textNode(tokens.get(i))));
        }
      }
    }
    out.flush();
    return 0;
  }

  /** The strings of a JSON array, failing with the file and index of anything else. */
  private static List<String> readStrings(Path file) {
    JsonNode root = BoundedJson.CONFIG.read(file);
    if (!root.isArray()) {
      throw new ConfigException(
          file, null, "wrong type", "a JSON array of strings", root.getNodeType());
    }
    List<String> strings = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      JsonNode s = root.get(i);
      if (!s.isTextual()) {
        throw new ConfigException(file, "[" + i + "]", "wrong type", "a string", s.getNodeType());
      }
      strings.add(s.textValue());
    }
    return strings;
  }
}
