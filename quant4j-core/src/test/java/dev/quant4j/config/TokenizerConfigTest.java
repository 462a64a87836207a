package dev.quant4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.ConfigException;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenizerConfigTest {
  @TempDir Path dir;

  @Test
  void tinyLlama() {
    TokenizerConfig t =
        TokenizerConfig.read(TestFiles.tinyLlama().resolve(TokenizerConfig.FILE_NAME));
    assertEquals(Optional.of("<|endoftext|>"), t.bosToken());
    assertEquals(Optional.of("<|endoftext|>"), t.eosToken());
    assertEquals(Optional.of("<|endoftext|>"), t.unkToken());
    assertEquals(Optional.empty(), t.padToken());
    assertEquals(Optional.of(false), t.addBosToken());
    assertEquals(Optional.empty(), t.addEosToken());
    assertEquals(OptionalInt.of(1024), t.modelMaxLength());
    assertEquals(Optional.of("PreTrainedTokenizerFast"), t.tokenizerClass());
  }

  @Test
  void sharedSmallLlama() {
    Path file = TestFiles.requireShared("models/small-llama/" + TokenizerConfig.FILE_NAME);
    assertEquals(OptionalInt.of(1024), TokenizerConfig.read(file).modelMaxLength());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"1e30", "1e999999999", "1000000000000000019884624838656", "1.0E+30", "2147483648"})
  void noLimitMarkerIsClampedNotAnError(String value) throws IOException {
    TokenizerConfig t = read("{\"model_max_length\": " + value + "}");
    assertEquals(OptionalInt.empty(), t.modelMaxLength());
  }

  @Test
  void largestIntIsKept() throws IOException {
    assertEquals(
        OptionalInt.of(Integer.MAX_VALUE),
        read("{\"model_max_length\": 2147483647}").modelMaxLength());
  }

  @Test
  void addedTokenObjectFormAndChatTemplate() throws IOException {
    TokenizerConfig t =
        read(
            """
            {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false,
               "normalized": false, "rstrip": false, "single_word": false},
             "eos_token": "</s>", "pad_token": null, "add_bos_token": true,
             "add_eos_token": false,
             "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"}""");
    assertEquals(Optional.of("<s>"), t.bosToken());
    assertEquals(Optional.of("</s>"), t.eosToken());
    assertEquals(Optional.empty(), t.padToken());
    assertEquals(Optional.of(true), t.addBosToken());
    assertEquals(Optional.of(false), t.addEosToken());
    assertTrue(t.chatTemplate().orElseThrow().startsWith("{% for m in messages %}"));
  }

  @Test
  void chatTemplateListFormPicksDefault() throws IOException {
    TokenizerConfig t =
        read(
            """
            {"chat_template": [{"name": "tool_use", "template": "T"},
                               {"name": "default", "template": "D"}]}""");
    assertEquals(Optional.of("D"), t.chatTemplate());
  }

  @Test
  void badValuesNameTheKey() throws IOException {
    assertKey("bos_token", "{\"bos_token\": 1}");
    assertKey("bos_token", "{\"bos_token\": {\"lstrip\": true}}");
    assertKey("add_bos_token", "{\"add_bos_token\": \"true\"}");
    assertKey("model_max_length", "{\"model_max_length\": -1}");
    assertKey("model_max_length", "{\"model_max_length\": \"1e30\"}");
    assertKey("chat_template", "{\"chat_template\": 3}");
    Path nan = write("{\n\"model_max_length\": Infinity}");
    ConfigException e = assertThrows(ConfigException.class, () -> TokenizerConfig.read(nan));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  private void assertKey(String key, String json) throws IOException {
    Path file = write(json);
    ConfigException e = assertThrows(ConfigException.class, () -> TokenizerConfig.read(file));
    assertEquals(key, e.key(), e.getMessage());
    assertEquals(file, e.file().orElseThrow());
  }

  private TokenizerConfig read(String json) throws IOException {
    return TokenizerConfig.read(write(json));
  }

  private Path write(String json) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "tokenizer_config", ".json"), json);
  }
}
