package dev.quant4j.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.ResourceLimitException;
import dev.quant4j.json.BoundedJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw contents of a tokenizer.json. The vocabulary and the merges (hundreds of thousands of
 * entries) are streamed straight into maps and lists, since a JSON tree of them would cost several
 * times the time and memory; the small component objects are read as trees.
 *
 * @param vocab the model's token to id map
 * @param merges the merges as consecutive (left, right) strings, in rank order
 * @param model the other fields of {@code model} (type, unk_token, byte_fallback...)
 * @param sections the top-level component objects by name (normalizer, decoder...)
 */
record TokenizerFile(
    Path file,
    Map<String, Integer> vocab,
    List<String> merges,
    JsonNode model,
    Map<String, JsonNode> sections) {

  /** Larger ids than this are refused before anything is allocated for them. */
  static final int MAX_VOCAB = 1 << 22;

  private static final List<String> SECTIONS =
      List.of("added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder");

  ConfigNode section(String name) {
    return new ConfigNode(file, name, sections.getOrDefault(name, MissingNode.getInstance()));
  }

  ConfigNode modelField(String name) {
    return new ConfigNode(file, "model", model).field(name);
  }

  static TokenizerFile read(Path file) {
    byte[] bytes = readBytes(file);
    ObjectMapper mapper = BoundedJson.TOKENIZER.mapper();
    // Sub-trees are read in the middle of the document, so what follows them is not "trailing".
    ObjectReader trees = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    // Interning and canonicalizing hundreds of thousands of distinct vocabulary keys costs more
    // than
    // it saves; the copy keeps the limits and duplicate-key detection of BoundedJson.
    JsonFactory factory =
        mapper
            .getFactory()
            .rebuild()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();
    try (JsonParser p = factory.createParser(bytes)) {
      expect(p.nextToken(), JsonToken.START_OBJECT, file, "(document)");
      Map<String, JsonNode> sections = new HashMap<>();
      Map<String, Integer> vocab = null;
      List<String> merges = null;
      ObjectNode model = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("model")) {
          expect(p.currentToken(), JsonToken.START_OBJECT, file, "model");
          model = mapper.createObjectNode();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
              case "vocab" -> vocab = readVocab(p, file);
              case "merges" -> merges = readMerges(p, file);
              default -> model.set(field, trees.readTree(p));
            }
          }
        } else if (SECTIONS.contains(name)) {
          JsonNode tree = trees.readTree(p);
          sections.put(name, tree == null ? MissingNode.getInstance() : tree);
        } else {
          p.skipChildren();
        }
      }
      if (model == null) {
        throw new ConfigException(file, "model", "missing", "an object", "missing");
      }
      if (vocab == null) {
        throw new ConfigException(file, "model.vocab", "missing", "an object", "missing");
      }
      return new TokenizerFile(
          file, vocab, merges == null ? List.of() : merges, model, Map.copyOf(sections));
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String where =
          loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new ConfigException(
          file, null, "invalid JSON" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot read", e);
    }
  }

  private static byte[] readBytes(Path file) {
    try {
      long size = Files.size(file);
      long max = 256L << 20;
      if (size > max) {
        throw new ResourceLimitException(
            file, null, "tokenizer.json too large", max + " bytes at most", size + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointIoException(file, "file not found", null);
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot read", e);
    }
  }

  private static Map<String, Integer> readVocab(JsonParser p, Path file) throws IOException {
    expect(p.currentToken(), JsonToken.START_OBJECT, file, "model.vocab");
    Map<String, Integer> vocab = new HashMap<>(1 << 16);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String token = p.currentName();
      JsonToken value = p.nextToken();
      if (value != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() != JsonParser.NumberType.INT
          || p.getIntValue() < 0
          || p.getIntValue() >= MAX_VOCAB) {
        throw new ConfigException(
            file,
            "model.vocab[\"" + token + "\"]",
            "token id out of range",
            "an integer in 0.." + (MAX_VOCAB - 1),
            p.getText());
      }
      vocab.put(token, p.getIntValue());
    }
    return vocab;
  }

  private static List<String> readMerges(JsonParser p, Path file) throws IOException {
    expect(p.currentToken(), JsonToken.START_ARRAY, file, "model.merges");
    List<String> merges = new ArrayList<>(1 << 16);
    for (int i = 0; ; i++) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) {
        return merges;
      }
      if (t == JsonToken.VALUE_STRING) {
        // Legacy form "a b": exactly one space, since tokens themselves never hold one.
        String line = p.getText();
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
          throw new ConfigException(
              file,
              "model.merges[" + i + "]",
              "malformed merge",
              "\"left right\" (two tokens, one space)",
              line);
        }
        merges.add(line.substring(0, space));
        merges.add(line.substring(space + 1));
      } else if (t == JsonToken.START_ARRAY) {
        String left = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
        String right = left != null && p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
        if (right == null || p.nextToken() != JsonToken.END_ARRAY) {
          throw new ConfigException(
              file, "model.merges[" + i + "]", "malformed merge", "[\"left\", \"right\"]", "other");
        }
        merges.add(left);
        merges.add(right);
      } else {
        throw new ConfigException(
            file,
            "model.merges[" + i + "]",
            "malformed merge",
            "\"left right\" or [\"left\", \"right\"]",
            t);
      }
    }
  }

  private static void expect(JsonToken actual, JsonToken expected, Path file, String key) {
    if (actual != expected) {
      String shown =
          actual == null
              ? "end of input"
              : actual.asString() != null ? actual.asString() : actual.name();
      throw new ConfigException(
          file, key, "wrong type", expected.name().toLowerCase(java.util.Locale.ROOT), shown);
    }
  }
}
