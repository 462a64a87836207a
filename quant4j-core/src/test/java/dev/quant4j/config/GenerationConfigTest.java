package dev.quant4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.ConfigException;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GenerationConfigTest {
  @TempDir Path dir;

  @Test
  void tinyLlama() {
    GenerationConfig g = GenerationConfig.readOrDefaults(TestFiles.tinyLlama());
    assertEquals(OptionalInt.of(64), g.maxNewTokens());
    assertFalse(g.doSample());
    assertEquals(List.of(0), g.eosTokenIds());
    assertEquals(OptionalInt.of(0), g.bosTokenId());
    assertEquals(50, g.topK(), "absent keys take transformers' defaults");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "models/small-llama",
        "golden/official/random-1layer-bf16",
        "golden/official/random-1layer-bnb-int8",
        "golden/official/random-1layer-bnb-nf4-dq"
      })
  void sharedFilesParse(String relative) {
    Path checkpoint = TestFiles.requireShared(relative);
    GenerationConfig g = GenerationConfig.read(checkpoint.resolve(GenerationConfig.FILE_NAME));
    ModelConfig m = ModelConfig.read(checkpoint.resolve("config.json"));
    assertEquals(m.eosTokenIds(), g.eosTokenIds());
    g.checkTokenIds(checkpoint, m.vocabSize());
  }

  @Test
  void missingFileGivesDefaults() {
    GenerationConfig g = GenerationConfig.readOrDefaults(dir);
    assertEquals(GenerationConfig.defaults(), g);
    assertEquals(20, g.maxLength());
    assertEquals(1.0, g.temperature());
    assertEquals(1.0, g.topP());
    assertEquals(1.0, g.repetitionPenalty());
    assertTrue(g.minP().isEmpty() && g.maxNewTokens().isEmpty() && g.eosTokenIds().isEmpty());
  }

  @Test
  void fullFileWithEosListAndNulls() throws IOException {
    GenerationConfig g =
        read(
            """
            {"do_sample": true, "temperature": 0.6, "top_p": 0.9, "top_k": 0, "min_p": 0.05,
             "repetition_penalty": 1.1, "eos_token_id": [128001, 128009], "pad_token_id": null,
             "max_length": 4096, "some_new_key": {"x": 1}}""");
    assertTrue(g.doSample());
    assertEquals(0.6, g.temperature());
    assertEquals(0, g.topK());
    assertEquals(0.05, g.minP().orElseThrow());
    assertEquals(List.of(128001, 128009), g.eosTokenIds());
    assertTrue(g.padTokenId().isEmpty());
    assertEquals(4096, g.maxLength());
    assertEquals(1, g.raw().get("some_new_key").get("x").asInt());
    ConfigException e = assertThrows(ConfigException.class, () -> g.checkTokenIds(dir, 128005));
    assertEquals("eos_token_id", e.key());
  }

  @ParameterizedTest
  @CsvSource({
    "temperature, -0.1",
    "top_p, 0",
    "top_p, 1.5",
    "top_k, -1",
    "min_p, 2",
    "repetition_penalty, 0",
    "max_new_tokens, 0",
    "max_length, -5"
  })
  void samplingParametersOutOfRangeNameTheKey(String key, String value) throws IOException {
    Path file = write("{\"" + key + "\": " + value + "}");
    ConfigException e = assertThrows(ConfigException.class, () -> GenerationConfig.read(file));
    assertEquals(key, e.key(), e.getMessage());
    assertEquals(file, e.file().orElseThrow());
  }

  @Test
  void invalidJsonAndWrongTypes() throws IOException {
    Path nan = write("{\n\"temperature\": NaN}");
    ConfigException e = assertThrows(ConfigException.class, () -> GenerationConfig.read(nan));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    Path wrong = write("{\"do_sample\": \"yes\"}");
    assertEquals(
        "do_sample", assertThrows(ConfigException.class, () -> GenerationConfig.read(wrong)).key());
  }

  private GenerationConfig read(String json) throws IOException {
    return GenerationConfig.read(write(json));
  }

  private Path write(String json) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "generation", ".json"), json);
  }
}
