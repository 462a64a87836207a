package dev.quant4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.error.Quant4jException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config.json cases of ../shared/specs/bad-inputs.md, each from a real file on disk. */
class ModelConfigBadInputTest {
  @TempDir Path dir;

  @Test
  void invalidJsonNamesFileAndLine() throws IOException {
    Path file = write("{\n  \"hidden_size\": 256,\n  \"vocab_size\": 4096,,\n}");
    ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(file));
    assertEquals(file, e.file().orElseThrow());
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }

  @Test
  void pythonNanAndInfinityAreRejectedWithLine() throws IOException {
    for (String literal : new String[] {"NaN", "Infinity", "-Infinity"}) {
      Path file = write("{\n\"model_type\": \"llama\",\n\"rms_norm_eps\": " + literal + "\n}");
      ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(file));
      assertEquals(file, e.file().orElseThrow());
      assertTrue(e.getMessage().contains("line 3"), literal + ": " + e.getMessage());
    }
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    Path file = write("{\"hidden_size\": 256,\n\"hidden_size\": 512}");
    ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(file));
    assertTrue(e.getMessage().contains("hidden_size") && e.getMessage().contains("line 2"));
  }

  @Test
  void notAnObject() throws IOException {
    Path file = write("[1, 2]");
    assertThrows(ConfigException.class, () -> ModelConfig.read(file));
  }

  @Test
  void missingRequiredFieldsNameTheKey() throws IOException {
    for (String key :
        new String[] {
          "hidden_size",
          "intermediate_size",
          "num_hidden_layers",
          "num_attention_heads",
          "vocab_size"
        }) {
      assertConfigError(key, c -> c.remove(key));
    }
    assertConfigError(
        "model_type",
        c -> {
          c.remove("model_type");
          c.remove("architectures");
        });
  }

  @Test
  void wrongTypesNameTheKey() throws IOException {
    assertConfigError("hidden_size", c -> c.put("hidden_size", "256"));
    assertConfigError("hidden_size", c -> c.put("hidden_size", 256.5));
    assertConfigError("num_hidden_layers", c -> c.put("num_hidden_layers", true));
    assertConfigError("tie_word_embeddings", c -> c.put("tie_word_embeddings", "false"));
    assertConfigError("rms_norm_eps", c -> c.put("rms_norm_eps", "1e-5"));
    assertConfigError("architectures", c -> c.put("architectures", "LlamaForCausalLM"));
    assertConfigError("quantization_config", c -> c.put("quantization_config", "bnb"));
    assertConfigError("dtype", c -> c.put("dtype", 16));
  }

  @Test
  void absurdSizesAreRefusedWithTheirValue() throws IOException {
    ConfigException e =
        assertConfigError("vocab_size", c -> c.put("vocab_size", BigInteger.ONE.shiftLeft(40)));
    assertTrue(e.getMessage().contains("1099511627776"), e.getMessage());
    assertConfigError("num_hidden_layers", c -> c.put("num_hidden_layers", 1_000_000));
    assertConfigError("hidden_size", c -> c.put("hidden_size", 1 << 20));
    assertConfigError("intermediate_size", c -> c.put("intermediate_size", -1));
    assertConfigError(
        "max_position_embeddings",
        c -> c.put("max_position_embeddings", new BigInteger("99999999999999999999999")));
    assertConfigError("head_dim", c -> c.put("head_dim", 1 << 16));
    assertConfigError("rms_norm_eps", c -> c.put("rms_norm_eps", 0.0));
  }

  @Test
  void inconsistentHeads() throws IOException {
    assertConfigError("num_attention_heads", c -> c.put("num_attention_heads", 0));
    assertConfigError("num_key_value_heads", c -> c.put("num_key_value_heads", 0));
    assertConfigError(
        "hidden_size",
        c -> {
          c.remove("head_dim");
          c.put("num_attention_heads", 6);
          c.put("num_key_value_heads", 3);
        });
    ConfigException e =
        assertConfigError("num_key_value_heads", c -> c.put("num_key_value_heads", 3));
    assertTrue(e.getMessage().contains("actual 3"), e.getMessage());
    assertConfigError("head_dim", c -> c.put("head_dim", 33));
  }

  @Test
  void explicitHeadDimAllowsHiddenNotDivisibleByHeads() throws IOException {
    ModelConfig c =
        readModified(
            m -> {
              m.put("num_attention_heads", 6);
              m.put("num_key_value_heads", 3);
              m.put("head_dim", 48);
            });
    assertEquals(48, c.headDim());
  }

  @Test
  void unknownArchitecturesAndRemoteCodeAreNotSupported() throws IOException {
    assertNotSupported(
        "GPT2LMHeadModel",
        c -> {
          c.put("model_type", "gpt2");
          c.putArray("architectures").add("GPT2LMHeadModel");
        });
    assertNotSupported("phi3", c -> c.put("model_type", "phi3"));
    assertNotSupported(
        "FancyForCausalLM", c -> c.putArray("architectures").add("FancyForCausalLM"));
    assertNotSupported(
        "auto_map",
        c -> c.putObject("auto_map").put("AutoModelForCausalLM", "modeling_evil.EvilForCausalLM"));
    assertNotSupported("hidden_act", c -> c.put("hidden_act", "gelu"));
    assertConfigError("architectures", c -> c.putArray("architectures").add("Qwen2ForCausalLM"));
  }

  @Test
  void untiedEmbeddingsWithoutLmHeadIsAnError() {
    ModelConfig c = ModelConfig.read(TestFiles.tinyLlama().resolve("config.json"));
    Map<String, long[]> shapes = new HashMap<>(c.expectedTensorShapes());
    shapes.remove("lm_head.weight");
    Path weights = dir.resolve("model.safetensors");
    FormatException e =
        assertThrows(FormatException.class, () -> c.checkTensorShapes(weights, shapes));
    assertEquals(weights, e.file().orElseThrow());
    assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
    assertTrue(e.getMessage().contains("tie_word_embeddings"), e.getMessage());
  }

  @Test
  void tokenIdsMustLieInsideTheVocabulary() throws IOException {
    assertConfigError("eos_token_id", c -> c.put("eos_token_id", 4096));
    assertConfigError("eos_token_id[1]", c -> c.putArray("eos_token_id").add(0).add(5000));
    assertConfigError("bos_token_id", c -> c.put("bos_token_id", -1));
    assertConfigError("pad_token_id", c -> c.put("pad_token_id", 4096));
    assertEquals(
        java.util.List.of(1, 2),
        readModified(c -> c.putArray("eos_token_id").add(1).add(2)).eosTokenIds());
  }

  /**
   * Every key of a real config replaced by every hostile kind of value: the outcome is a parsed
   * config or one of quant4j's typed errors naming the file, never a raw runtime exception.
   */
  @Test
  void hostileValuesForEveryKeyGiveTypedErrorsOnly() {
    ObjectNode base =
        (ObjectNode) BoundedJson.CONFIG.read(TestFiles.tinyLlama().resolve("config.json"));
    String[] hostile = {
      "null",
      "-1",
      "0",
      "1",
      "2.5",
      "1e300",
      "1e999999999",
      "-1e999999999",
      "-1e-300",
      "99999999999999999999999999",
      "\"x\"",
      "true",
      "[]",
      "[1, \"a\"]",
      "{}",
      "{\"rope_type\": 7}"
    };
    Path file = dir.resolve("config.json");
    for (String key : iterable(base.fieldNames())) {
      for (String value : hostile) {
        ObjectNode doc = base.deepCopy();
        doc.set(key, BoundedJson.CONFIG.parse(null, value));
        try {
          ModelConfig.fromJson(file, doc);
        } catch (Quant4jException e) {
          assertEquals(file, e.file().orElseThrow(), key + "=" + value + ": " + e.getMessage());
        } catch (RuntimeException e) {
          throw new AssertionError(key + "=" + value + " escaped as " + e, e);
        }
      }
    }
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    return () -> it;
  }

  private ConfigException assertConfigError(String key, Consumer<ObjectNode> edit)
      throws IOException {
    Path file = writeModified(edit);
    ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(file));
    assertEquals(key, e.key(), e.getMessage());
    assertEquals(file, e.file().orElseThrow());
    return e;
  }

  private void assertNotSupported(String mentioned, Consumer<ObjectNode> edit) throws IOException {
    Path file = writeModified(edit);
    Quant4jException e = assertThrows(NotSupportedException.class, () -> ModelConfig.read(file));
    assertTrue(e.getMessage().contains(mentioned), e.getMessage());
    assertTrue(e.getMessage().contains("LlamaForCausalLM") || mentioned.equals("hidden_act"));
    assertEquals(file, e.file().orElseThrow());
  }

  private ModelConfig readModified(Consumer<ObjectNode> edit) throws IOException {
    return ModelConfig.read(writeModified(edit));
  }

  private Path writeModified(Consumer<ObjectNode> edit) throws IOException {
    ObjectNode doc =
        (ObjectNode) BoundedJson.CONFIG.read(TestFiles.tinyLlama().resolve("config.json"));
    edit.accept(doc);
    return write(doc.toPrettyString());
  }

  private Path write(String text) throws IOException {
    Path file = Files.createTempFile(dir, "config", ".json");
    return Files.writeString(file, text);
  }
}
