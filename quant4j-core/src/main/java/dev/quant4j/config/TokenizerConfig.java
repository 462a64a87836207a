package dev.quant4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * tokenizer_config.json: the special tokens and flags that sit beside tokenizer.json.
 *
 * @param bosToken {@code bos_token}, given as a string or as an AddedToken object {@code
 *     {"content": ...}}
 * @param addBosToken {@code add_bos_token}; empty when absent, leaving it to tokenizer.json's post
 *     processor
 * @param modelMaxLength {@code model_max_length}; empty when it is transformers' "no limit" marker
 *     (written as 1e30 or int(1e30)) or anything else beyond an int
 * @param chatTemplate the Jinja {@code chat_template} as text, kept but never rendered; from the
 *     list form, the entry named "default" (else the first)
 * @param raw the document as read, unknown keys included
 */
public record TokenizerConfig(
    Optional<String> bosToken,
    Optional<String> eosToken,
    Optional<String> unkToken,
    Optional<String> padToken,
    Optional<Boolean> addBosToken,
    Optional<Boolean> addEosToken,
    OptionalInt modelMaxLength,
    Optional<String> chatTemplate,
    Optional<String> tokenizerClass,
    ObjectNode raw) {

  public static final String FILE_NAME = "tokenizer_config.json";

  public TokenizerConfig {
    Objects.requireNonNull(modelMaxLength, "modelMaxLength");
    raw = raw.deepCopy();
  }

  @Override
  public ObjectNode raw() {
    return raw.deepCopy();
  }

  public static TokenizerConfig read(Path file) {
    return fromJson(file, BoundedJson.CONFIG.read(file));
  }

  public static TokenizerConfig fromJson(Path fileForErrors, JsonNode node) {
    JsonFields f = JsonFields.of(fileForErrors, "", node, FILE_NAME);
    return new TokenizerConfig(
        token(f, "bos_token"),
        token(f, "eos_token"),
        token(f, "unk_token"),
        token(f, "pad_token"),
        f.optBool("add_bos_token"),
        f.optBool("add_eos_token"),
        modelMaxLength(f),
        chatTemplate(f),
        f.optString("tokenizer_class"),
        f.node());
  }

  /** A special token: a string, or transformers' serialised AddedToken with its content. */
  private static Optional<String> token(JsonFields f, String key) {
    JsonNode v = f.get(key);
    if (v == null || v.isTextual()) {
      return f.optString(key);
    }
    if (v.isObject()) {
      String content =
          JsonFields.of(f.file(), f.key(key), v, key)
              .optString("content")
              .orElseThrow(
                  () -> f.error(key, "AddedToken without content", "a content string", "absent"));
      return Optional.of(content);
    }
    throw f.error(key, "wrong type", "a string or {\"content\": ...}", JsonFields.kind(v));
  }

  /**
   * transformers writes "no limit" as int(1e30) = 1000000000000000019884624838656 (or 1e30 as a
   * float): anything beyond an int is that marker, so it is read as a BigDecimal, never narrowed.
   */
  private static OptionalInt modelMaxLength(JsonFields f) {
    JsonNode v = f.get("model_max_length");
    if (v == null) {
      return OptionalInt.empty();
    }
    if (!v.isNumber()) {
      throw f.error("model_max_length", "wrong type", "a number", JsonFields.kind(v));
    }
    BigDecimal d = v.decimalValue();
    if (d.signum() <= 0) {
      throw f.error("model_max_length", "out of range", "greater than 0", v.asText());
    }
    if (d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(d.intValue());
  }

  private static Optional<String> chatTemplate(JsonFields f) {
    JsonNode v = f.get("chat_template");
    if (v == null || v.isTextual()) {
      return f.optString("chat_template");
    }
    if (!v.isArray() || v.isEmpty()) {
      throw f.error(
          "chat_template",
          "wrong type",
          "a string or a list of {name, template}",
          JsonFields.kind(v));
    }
    JsonNode chosen = v.get(0);
    for (JsonNode entry : v) {
      if (entry.isObject() && "default".equals(entry.path("name").asText(null))) {
        chosen = entry;
      }
    }
    JsonNode template = chosen.get("template");
    if (template == null || !template.isTextual()) {
      throw new ConfigException(
          f.file(),
          "chat_template",
          "list entry without a string template",
          "a string",
          JsonFields.kind(template));
    }
    return Optional.of(template.textValue());
  }
}
