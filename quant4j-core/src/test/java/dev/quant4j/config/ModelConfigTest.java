package dev.quant4j.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.FormatException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelConfigTest {

  @Test
  void tinyLlamaInTheRepository() {
    ModelConfig c = ModelConfig.read(TestFiles.tinyLlama().resolve("config.json"));
    assertEquals(Architecture.LLAMA, c.architecture());
    assertEquals(List.of("LlamaForCausalLM"), c.architectures());
    assertEquals(256, c.hiddenSize());
    assertEquals(768, c.intermediateSize());
    assertEquals(6, c.numHiddenLayers());
    assertEquals(8, c.numAttentionHeads());
    assertEquals(4, c.numKeyValueHeads());
    assertEquals(32, c.headDim());
    assertEquals(4096, c.vocabSize());
    assertEquals(1024, c.maxPositionEmbeddings());
    assertEquals(1e-5, c.rmsNormEps());
    assertEquals(RopeConfig.defaults(10000.0, 1024), c.rope());
    assertFalse(c.tieWordEmbeddings());
    assertFalse(c.qkvBias() || c.attentionOutputBias() || c.mlpBias() || c.qkNorm());
    assertEquals(OptionalInt.of(0), c.bosTokenId());
    assertEquals(List.of(0), c.eosTokenIds());
    assertEquals(OptionalInt.empty(), c.padTokenId());
    assertEquals("bfloat16", c.dtype());
    assertTrue(c.quantizationConfig().isEmpty());
    assertNull(c.slidingWindow());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "models/tiny-llama/config.json",
        "models/small-llama/config.json",
        "golden/official/random-1layer-bf16/config.json",
        "golden/official/random-1layer-bnb-int8/config.json",
        "golden/official/random-1layer-bnb-nf4-dq/config.json",
        "golden/official/random-1layer-hqq-4bit/config.json"
      })
  void everySharedConfigParsesAndMatchesItsWeights(String relative) throws IOException {
    Path file = TestFiles.requireShared(relative);
    ModelConfig c = ModelConfig.read(file);
    ObjectNode raw = (ObjectNode) BoundedJson.CONFIG.read(file);
    assertEquals(raw.get("hidden_size").asInt(), c.hiddenSize());
    assertEquals(raw.get("vocab_size").asInt(), c.vocabSize());
    assertEquals(raw.has("quantization_config"), c.quantizationConfig().isPresent());
    c.quantizationConfig()
        .ifPresent(q -> assertEquals(raw.get("quantization_config"), q, "kept verbatim"));
    if (c.quantizationConfig().isEmpty()) {
      // Unquantized checkpoints store every tensor at its logical shape.
      c.checkTensorShapes(file, shardShapes(file.getParent()));
    }
  }

  @Test
  void roundTripKeepsUnknownKeysAndEquality() {
    ObjectNode doc =
        (ObjectNode) BoundedJson.CONFIG.read(TestFiles.tinyLlama().resolve("config.json"));
    doc.put("some_future_key", "kept");
    doc.putObject("nested_unknown").put("x", 1);
    ModelConfig c = ModelConfig.fromJson(null, doc);
    ObjectNode written = c.toJson();
    assertEquals("kept", written.get("some_future_key").asText());
    assertEquals(doc, written);
    assertEquals(c, ModelConfig.fromJson(null, written));
    // Through text: BoundedJson normalises decimals (10000.0 is written 1E+4, 0.0 as 0), so the
    // first text round trip may change number nodes but never values; from then on it is stable.
    ModelConfig once = reparse(c);
    assertEquals(c.rope(), once.rope());
    assertEquals(c.rmsNormEps(), once.rmsNormEps());
    assertEquals(c.toJson().get("some_future_key"), once.toJson().get("some_future_key"));
    assertEquals(once, reparse(once));
  }

  private static ModelConfig reparse(ModelConfig c) {
    return ModelConfig.fromJson(null, BoundedJson.CONFIG.parse(null, c.toJson().toString()));
  }

  @Test
  void withQuantizationConfigReturnsANewConfigAndLeavesTheOldOne() {
    ModelConfig c = ModelConfig.read(TestFiles.tinyLlama().resolve("config.json"));
    ObjectNode q = BoundedJson.CONFIG.mapper().createObjectNode().put("quant_method", "hqq");
    ModelConfig quantized = c.withQuantizationConfig(q);
    q.put("quant_method", "mutated after the call");
    assertEquals("hqq", quantized.quantizationConfig().orElseThrow().get("quant_method").asText());
    assertEquals("hqq", quantized.toJson().get("quantization_config").get("quant_method").asText());
    assertTrue(c.quantizationConfig().isEmpty());
    assertFalse(c.toJson().has("quantization_config"));
    assertEquals(quantized, ModelConfig.fromJson(null, quantized.toJson()));
    assertEquals(c, quantized.withQuantizationConfig(null));
  }

  @Test
  void rawCannotBeMutatedFromOutside() {
    ModelConfig c = ModelConfig.read(TestFiles.tinyLlama().resolve("config.json"));
    c.raw().put("hidden_size", 1);
    c.toJson().put("hidden_size", 2);
    assertEquals(256, c.toJson().get("hidden_size").asInt());
  }

  @Test
  void legacyLlamaWithTorchDtypeAndRopeScaling() {
    ModelConfig c =
        parse(
            """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
             "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 131072,
             "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "torch_dtype": "bfloat16",
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009],
             "tie_word_embeddings": false}""");
    assertEquals(128, c.headDim());
    assertEquals("llama3", c.rope().type());
    assertEquals(500000.0, c.rope().theta());
    assertEquals("bfloat16", c.dtype());
    assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
  }

  @Test
  void qwen2HasQkvBiasWithoutAKey() {
    ModelConfig c =
        parse(
            """
            {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
             "intermediate_size": 4864, "num_hidden_layers": 2, "num_attention_heads": 14,
             "num_key_value_heads": 2, "vocab_size": 151936, "rope_theta": 1000000.0,
             "sliding_window": 32768, "use_sliding_window": false, "tie_word_embeddings": true,
             "bos_token_id": 151643, "eos_token_id": 151645}""");
    assertTrue(c.qkvBias());
    assertFalse(c.attentionOutputBias());
    assertEquals(64, c.headDim());
    assertEquals(32768, c.maxPositionEmbeddings(), "qwen2 class default");
    assertNull(c.slidingWindow(), "qwen ignores sliding_window unless use_sliding_window");
    Map<String, long[]> shapes = c.expectedTensorShapes();
    assertArrayEquals(new long[] {896}, shapes.get("model.layers.1.self_attn.q_proj.bias"));
    assertArrayEquals(new long[] {128}, shapes.get("model.layers.1.self_attn.k_proj.bias"));
    assertFalse(shapes.containsKey("model.layers.0.self_attn.o_proj.bias"));
    assertFalse(shapes.containsKey("lm_head.weight"), "tied");
  }

  @Test
  void qwen3HasQkNormAndExplicitHeadDim() {
    ModelConfig c =
        parse(
            """
            {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 1024,
             "intermediate_size": 3072, "num_hidden_layers": 1, "num_attention_heads": 16,
             "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 151936,
             "attention_bias": false, "rope_theta": 1000000, "tie_word_embeddings": true,
             "eos_token_id": 151645, "bos_token_id": 151643}""");
    assertTrue(c.qkNorm());
    assertFalse(c.qkvBias());
    Map<String, long[]> shapes = c.expectedTensorShapes();
    assertArrayEquals(
        new long[] {2048, 1024}, shapes.get("model.layers.0.self_attn.q_proj.weight"));
    assertArrayEquals(
        new long[] {1024, 2048}, shapes.get("model.layers.0.self_attn.o_proj.weight"));
    assertArrayEquals(new long[] {128}, shapes.get("model.layers.0.self_attn.q_norm.weight"));
    assertArrayEquals(new long[] {128}, shapes.get("model.layers.0.self_attn.k_norm.weight"));
  }

  @Test
  void mistralSlidingWindowAndLlamaBiases() {
    ModelConfig mistral =
        parse(
            """
            {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 64,
             "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 100, "sliding_window": 4096,
             "attention_bias": true}""");
    assertEquals(4096, mistral.slidingWindow());
    assertFalse(mistral.qkvBias(), "mistral projections have no bias");
    ModelConfig llama =
        parse(
            """
            {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
             "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 100,
             "attention_bias": true, "mlp_bias": true}""");
    assertEquals(List.of("LlamaForCausalLM"), llama.architectures());
    assertEquals(4, llama.numKeyValueHeads(), "defaults to num_attention_heads");
    Map<String, long[]> shapes = llama.expectedTensorShapes();
    assertArrayEquals(new long[] {64}, shapes.get("model.layers.0.self_attn.o_proj.bias"));
    assertArrayEquals(new long[] {128}, shapes.get("model.layers.0.mlp.up_proj.bias"));
    assertArrayEquals(new long[] {64}, shapes.get("model.layers.0.mlp.down_proj.bias"));
  }

  @Test
  void expectedShapesAreOrderedAndComplete() {
    ModelConfig c = ModelConfig.read(TestFiles.tinyLlama().resolve("config.json"));
    List<String> names = new ArrayList<>(c.expectedTensorShapes().keySet());
    assertEquals("model.embed_tokens.weight", names.getFirst());
    assertEquals("lm_head.weight", names.getLast());
    // 1 embedding + 9 per layer + final norm + head
    assertEquals(1 + 9 * 6 + 2, names.size());
    assertArrayEquals(
        new long[] {128, 256},
        c.expectedTensorShapes().get("model.layers.5.self_attn.k_proj.weight"));
  }

  @Test
  void tensorShapeMismatchesAreNamed() {
    ModelConfig c = ModelConfig.read(TestFiles.tinyLlama().resolve("config.json"));
    Map<String, long[]> shapes = new HashMap<>(c.expectedTensorShapes());
    c.checkTensorShapes(shapes);
    shapes.put("model.layers.3.mlp.down_proj.weight", new long[] {256, 767});
    FormatException e = assertThrows(FormatException.class, () -> c.checkTensorShapes(shapes));
    assertTrue(e.getMessage().contains("model.layers.3.mlp.down_proj.weight"), e.getMessage());
    assertTrue(e.getMessage().contains("[256, 768]") && e.getMessage().contains("[256, 767]"));
  }

  private static ModelConfig parse(String json) {
    return ModelConfig.fromJson(null, BoundedJson.CONFIG.parse(null, json));
  }

  /** Name to shape over every safetensors file of a checkpoint (header only). */
  static Map<String, long[]> shardShapes(Path dir) throws IOException {
    Map<String, long[]> shapes = new HashMap<>();
    try (var files = java.nio.file.Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
        try (FileChannel ch = FileChannel.open(p)) {
          ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          ch.read(len, 0);
          ByteBuffer header = ByteBuffer.allocate((int) len.getLong(0));
          ch.read(header, 8);
          JsonNode h = BoundedJson.CONFIG.parse(p, header.array());
          h.properties()
              .forEach(
                  e -> {
                    if (!e.getKey().equals("__metadata__")) {
                      JsonNode s = e.getValue().get("shape");
                      long[] shape = new long[s.size()];
                      for (int i = 0; i < shape.length; i++) {
                        shape[i] = s.get(i).asLong();
                      }
                      shapes.put(e.getKey(), shape);
                    }
                  });
        }
      }
    }
    return shapes;
  }
}
