package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configs as llm-compressor checkpoints hold them round-trip exactly; the config quant4j saves
 * after quantizing says what it wrote; unsupported schemes are refused by name; targets and ignore
 * match modules as compressed-tensors matches them.
 */
class CompressedTensorsConfigTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path FILE = Path.of("config.json");

  static CompressedTensorsConfig parse(String json) throws IOException {
    return CompressedTensorsConfig.fromDict(FILE, (ObjectNode) JSON.readTree(json));
  }

  static final String W =
      "\"actorder\": null, \"block_structure\": null, \"dynamic\": false, \"observer\": \"minmax\", \"observer_kwargs\": {}";

  /** Real-world shapes: W4A16, FP8-dynamic, W8A8 int8, FP8 block, NVFP4, a mixed W4A16/FP8 file. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        """
        {"config_groups": {"group_0": {"input_activations": null, "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": 128, "num_bits": 4,
                       "observer": "minmax", "observer_kwargs": {}, "strategy": "group", "symmetric": true, "type": "int"}}},
         "format": "pack-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {}, "version": "0.9.1"}""",
        """
        {"config_groups": {"group_0": {
           "input_activations": {"actorder": null, "block_structure": null, "dynamic": true, "group_size": null, "num_bits": 8,
                                 "observer": null, "observer_kwargs": {}, "strategy": "token", "symmetric": true, "type": "float"},
           "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": null, "num_bits": 8,
                       "observer": "minmax", "observer_kwargs": {}, "strategy": "channel", "symmetric": true, "type": "float"}}},
         "format": "float-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {},
         "transform_config": {}, "version": "0.10.3.dev47+ge463fe6"}""",
        """
        {"config_groups": {"group_0": {
           "input_activations": {"actorder": null, "block_structure": null, "dynamic": true, "group_size": null, "num_bits": 8,
                                 "observer": null, "observer_kwargs": {}, "scale_dtype": null, "strategy": "token",
                                 "symmetric": true, "type": "int", "zp_dtype": null},
           "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": null, "num_bits": 8,
                       "observer": "mse", "observer_kwargs": {}, "scale_dtype": null, "strategy": "channel",
                       "symmetric": true, "type": "int", "zp_dtype": null}}},
         "format": "int-quantized", "global_compression_ratio": null, "ignore": ["lm_head", "re:.*mlp.gate$"],
         "kv_cache_scheme": null, "quant_method": "compressed-tensors", "quantization_status": "compressed",
         "sparsity_config": {}, "transform_config": {}, "version": "0.12.2"}""",
        """
        {"config_groups": {"group_0": {
           "format": "float-quantized",
           "input_activations": {"actorder": null, "block_structure": null, "dynamic": true, "group_size": 128, "num_bits": 8,
                                 "observer": null, "observer_kwargs": {}, "strategy": "group", "symmetric": true, "type": "float"},
           "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": [128, 128], "dynamic": false, "group_size": null, "num_bits": 8,
                       "observer": "static_minmax", "observer_kwargs": {}, "strategy": "block", "symmetric": true, "type": "float"}}},
         "format": "float-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {},
         "transform_config": {}, "version": "0.12.3.a20251114"}""",
        """
        {"config_groups": {"group_0": {
           "input_activations": {"actorder": null, "block_structure": null, "dynamic": "local", "group_size": 16, "num_bits": 4,
                                 "observer": "static_minmax", "observer_kwargs": {}, "scale_dtype": "torch.float8_e4m3fn",
                                 "strategy": "tensor_group", "symmetric": true, "type": "float", "zp_dtype": "torch.float8_e4m3fn"},
           "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": 16, "num_bits": 4,
                       "observer": "static_minmax", "observer_kwargs": {}, "scale_dtype": "torch.float8_e4m3fn",
                       "strategy": "tensor_group", "symmetric": true, "type": "float", "zp_dtype": "torch.float8_e4m3fn"}}},
         "format": "nvfp4-pack-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {}}""",
        """
        {"config_groups": {
           "group_0": {"format": "pack-quantized", "input_activations": null, "output_activations": null,
             "targets": ["re:.*mlp.*"],
             "weights": {"actorder": "weight", "block_structure": null, "dynamic": false, "group_size": 128, "num_bits": 4,
                         "observer": "minmax", "observer_kwargs": {}, "strategy": "group", "symmetric": false, "type": "int",
                         "zp_dtype": "torch.int8"}},
           "group_1": {"format": "naive-quantized", "input_activations": null, "output_activations": null,
             "targets": ["re:.*self_attn.*"],
             "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": null, "num_bits": 8,
                         "observer": "minmax", "observer_kwargs": {}, "strategy": "channel", "symmetric": true, "type": "float"}}},
         "format": "mixed-precision", "global_compression_ratio": null, "ignore": ["lm_head"],
         "kv_cache_scheme": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": null, "num_bits": 8,
                             "observer": "minmax", "observer_kwargs": {}, "strategy": "tensor", "symmetric": true, "type": "float"},
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {}}"""
      })
  void realWorldConfigsRoundTripExactly(String json) throws IOException {
    CompressedTensorsConfig c = parse(json);
    assertEquals(JSON.readTree(json), c.toDict());
    assertEquals(c.toDict(), parse(JSON.writeValueAsString(c.toDict())).toDict());
  }

  /** The JSON example of the format spec (§2.1), read from ../shared so it cannot drift. */
  @Test
  void theSpecsExampleRoundTrips() throws IOException {
    String spec =
        Files.readString(
            TestFiles.requireShared("specs/formats-fp8-ct-torchao-bitnet-aqlm-vptq-higgs.md"));
    Matcher m =
        Pattern.compile("```json\\s*\"quantization_config\": (\\{.*?})\\s*```", Pattern.DOTALL)
            .matcher(spec);
    assertTrue(
        m.find(spec.indexOf("## 2. compressed-tensors")), "the spec's compressed-tensors example");
    CompressedTensorsConfig c = parse(m.group(1));
    assertEquals(JSON.readTree(m.group(1)), c.toDict());
    new CompressedTensorsQuantizer(c); // and quant4j runs it
  }

  @Test
  void theSavedConfigSaysCompressedAndNamesTheFormatItWrote() throws IOException {
    String w4 = "{\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"group_size\": 128}}";
    String fp8 =
        "{\"targets\": [\"re:.*self_attn.*\"], \"weights\": {\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"channel\"},"
            + " \"input_activations\": {\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"token\", \"dynamic\": true}}";
    String w8fp8 =
        "{\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"tensor\"}}";
    assertSaved("{\"g\": " + w4 + "}", "pack-quantized", Optional.empty());
    assertSaved("{\"g\": " + w8fp8 + "}", "naive-quantized", Optional.empty());
    assertSaved(
        "{\"a\": " + w4 + ", \"b\": " + fp8 + "}",
        "mixed-precision",
        Optional.of("float-quantized"));
  }

  private static void assertSaved(String groups, String format, Optional<String> bFormat)
      throws IOException {
    CompressedTensorsConfig given =
        parse("{\"quant_method\": \"compressed-tensors\", \"config_groups\": " + groups + "}");
    CompressedTensorsConfig saved =
        (CompressedTensorsConfig) new CompressedTensorsQuantizer(given).config();
    assertEquals("compressed", saved.quantizationStatus());
    assertEquals(format, saved.format());
    bFormat.ifPresent(f -> assertEquals(f, saved.toDict().at("/config_groups/b/format").asText()));
    CompressedTensorsConfig again = parse(JSON.writeValueAsString(saved.toDict()));
    assertEquals(saved.toDict(), again.toDict());
    // loading what was saved resolves every group to the format it was written in
    for (String g : saved.configGroups().keySet()) {
      assertEquals(
          SchemeFormats.of(given.format(), given.configGroups().get(g)),
          SchemeFormats.of(again.format(), again.configGroups().get(g)));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kv_cache_scheme|\"kv_cache_scheme\": {\"num_bits\": 8, \"type\": \"float\"}",
        "output activation|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"output_activations\": {\"num_bits\": 8}}}",
        "'nvfp4-pack-quantized'|\"format\": \"nvfp4-pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8, \"type\": \"float\"}}}",
        "fp4 input activations with fp4 weights|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16}, \"input_activations\": {\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16, \"dynamic\": true}}}",
        "strategy 'attn_head'|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8, \"strategy\": \"attn_head\"}}}",
        "preset scheme 'W4A16'|\"config_groups\": {\"W4A16\": [\"Linear\"]}",
        "sparsity_config|\"sparsity_config\": {\"format\": \"sparse-24-bitmask\"}",
        "transform_config|\"transform_config\": {\"config_groups\": {\"u\": {}}}",
        "'marlin-24'|\"format\": \"marlin-24\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"group_size\": 128}}}",
        "before 0.17|\"version\": \"0.9.1\", \"format\": \"pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 3, \"group_size\": 128}}}",
        "int16 weights|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 16}}}",
        "input activations with strategy tensor and dynamic true|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8}, \"input_activations\": {\"num_bits\": 8, \"dynamic\": true}}}",
      })
  void unsupportedSchemesFailNamingWhatIsMissing(String caseLine) throws IOException {
    String[] parts = caseLine.split("\\|", 2);
    CompressedTensorsConfig c =
        parse("{\"quant_method\": \"compressed-tensors\", " + parts[1] + "}");
    NotSupportedException e =
        assertThrows(NotSupportedException.class, () -> new CompressedTensorsQuantizer(c));
    assertTrue(e.getMessage().contains(parts[0]), e.getMessage());
    assertTrue(e.getMessage().endsWith("is not supported yet"), e.getMessage());
  }

  @Test
  void targetsAndIgnoreMatchAsCompressedTensorsDoes() throws IOException {
    CompressedTensorsConfig c =
        parse(
            """
            {"quant_method": "compressed-tensors", "ignore": ["lm_head", "re:model.layers.1"],
             "config_groups": {
               "a": {"targets": ["Linear"], "weights": {"num_bits": 4, "group_size": 128}},
               "b": {"targets": ["re:.*mlp.(up|down)_proj$"], "weights": {"num_bits": 8}},
               "c": {"targets": ["model.layers.0.mlp.up_proj"], "weights": {"num_bits": 2}}}}""");
    ModuleSchemes m = new ModuleSchemes(c.configGroups(), c.ignore());
    assertEquals(Optional.empty(), m.forLinear("lm_head"));
    assertEquals(
        "c", m.forLinear("model.layers.0.mlp.up_proj").orElseThrow().name(), "exact names win");
    assertEquals(
        "b", m.forLinear("model.layers.0.mlp.down_proj").orElseThrow().name(), "then regexes");
    assertEquals(
        "a", m.forLinear("model.layers.0.mlp.gate_proj").orElseThrow().name(), "then classes");
    // re: is a prefix match (Python's re.match): layers.1 also covers layers.10, .11, ...
    assertEquals(Optional.empty(), m.forLinear("model.layers.1.self_attn.q_proj"));
    assertEquals(Optional.empty(), m.forLinear("model.layers.12.self_attn.q_proj"));
    assertEquals("a", m.forLinear("model.layers.2.self_attn.q_proj").orElseThrow().name());

    CompressedTensorsQuantizer q = new CompressedTensorsQuantizer(c);
    List<String> linears =
        List.of(
            "model.layers.0.mlp.up_proj.weight",
            "model.layers.1.self_attn.o_proj.weight",
            "lm_head.weight");
    assertEquals(
        java.util.Set.of("model.layers.0.mlp.up_proj.weight"),
        q.weightsToConvert(linears, "lm_head.weight"));

    CompressedTensorsConfig all =
        parse(
            "{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8}}}}");
    assertTrue(
        new CompressedTensorsQuantizer(all)
            .weightsToConvert(linears, "lm_head.weight")
            .contains("lm_head.weight"),
        "no default skip list: only ignore keeps lm_head out");
  }
}
