package dev.quant4j.quantizers.configs;

import static dev.quant4j.quantizers.configs.Dicts.obj;
import static dev.quant4j.quantizers.configs.Dicts.parse;
import static dev.quant4j.quantizers.configs.Dicts.reread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The to_dict examples of the specs: parsed, they must write back exactly. */
class ConfigExamplesTest {
  private static final Pattern TO_DICT = Pattern.compile("^to_dict: (\\{.*})$", Pattern.MULTILINE);

  /** Every {@code to_dict:} line of configs.md, read from ../shared so none is missed. */
  @Test
  void everyToDictOfConfigsMdRoundTripsAndEqualsTheDefaults() throws IOException {
    String spec = Files.readString(TestFiles.requireShared("specs/configs.md"));
    Matcher m = TO_DICT.matcher(spec);
    int seen = 0;
    while (m.find()) {
      ObjectNode expected = obj(m.group(1));
      QuantizationConfig config = parse(m.group(1));
      assertEquals(expected, config.toDict(), expected.get("quant_method").asText());
      QuantizationMethod method = Dicts.METHODS.find(config.quantMethod()).orElseThrow();
      // transformers wrote these from the default constructor: our defaults must agree.
      method
          .defaults()
          .ifPresent(
              d -> assertEquals(expected, d.toDict(), "defaults of " + config.quantMethod()));
      seen++;
    }
    assertEquals(11, seen, "to_dict examples found in configs.md");
  }

  /** Examples of the format specs, each in the exact shape transformers or its library saves. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        """
        {"_load_in_4bit": true, "_load_in_8bit": false, "bnb_4bit_compute_dtype": "bfloat16",
         "bnb_4bit_quant_storage": "uint8", "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": true,
         "llm_int8_enable_fp32_cpu_offload": false, "llm_int8_has_fp16_weight": false,
         "llm_int8_skip_modules": null, "llm_int8_threshold": 6.0, "load_in_4bit": true,
         "load_in_8bit": false, "quant_method": "bitsandbytes"}""",
        """
        {"quant_config": {"offload_meta": false, "scale_quant_params": null, "zero_quant_params": null,
           "weight_quant_params": {"axis": 1, "channel_wise": true, "group_size": 64, "nbits": 4,
                                   "optimize": true, "round_zero": true, "view_as_float": false}},
         "quant_method": "hqq", "skip_modules": ["lm_head"]}""",
        """
        {"config_groups": {"group_0": {"input_activations": null, "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": 128, "num_bits": 4,
                       "observer": "minmax", "observer_kwargs": {}, "strategy": "group", "symmetric": true, "type": "int"}}},
         "format": "pack-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {}, "version": "0.x"}""",
        """
        {"quant_method": "torchao", "modules_to_not_convert": null,
         "include_input_output_embeddings": false, "untie_embedding_weights": false,
         "quant_type": {"default": {"_type": "Int4WeightOnlyConfig", "_version": 2, "_data": {
             "group_size": 128, "set_inductor_config": true,
             "int4_packing_format": {"_type": "Int4PackingFormat", "_data": "TILE_PACKED_TO_4D"},
             "int4_choose_qparams_algorithm": {"_type": "Int4ChooseQParamsAlgorithm", "_data": "HQQ"},
             "int4_tile_packed_ntile": 8}}}}""",
        """
        {"linear_class": "autobitlinear", "modules_to_not_convert": null, "quant_method": "bitnet",
         "quantization_mode": "offline", "rms_norm_eps": 1e-06, "use_rms_norm": false}""",
        """
        {"act_group_aware": true, "backend": "auto", "batch_size": 1, "bits": 4,
         "block_name_to_quantize": null, "cache_block_outputs": true, "checkpoint_format": "gptq_v2",
         "damp_percent": 0.1, "dataset": "c4", "desc_act": false, "format": "gptq_v2", "group_size": 128,
         "max_input_length": null, "meta": {"quantizer": ["optimum:1.0", "gptqmodel:2.0"]}, "model_seqlen": null,
         "module_name_preceding_first_block": null, "modules_in_block_to_quantize": null, "pad_token_id": null,
         "quant_method": "gptq", "sym": true, "tokenizer": null, "true_sequential": true}""",
        """
        {"quant_method": "vptq", "shared_layer_config": {}, "enable_proxy_error": false, "modules_to_not_convert": null,
         "config_for_layers": {"model.layers.0.mlp.down_proj": {"bias": false, "enable_norm": true, "enable_perm": true,
           "group_num": 1, "group_size": 14336, "in_features": 14336, "indices_as_float": false, "is_indice_packed": true,
           "num_centroids": [-1, 65536], "num_res_centroids": [-1, 256], "out_features": 4096, "outlier_size": 0,
           "vector_lens": [-1, 8]}}}""",
        """
        {"activation_scale_ub": 1200.0, "quant_method": "fbgemm_fp8",
         "modules_to_not_convert": ["model.layers.0.mlp.down_proj", "lm_head"]}"""
      })
  void savedFormsRoundTripExactly(String json) {
    QuantizationConfig config = parse(json);
    assertEquals(obj(json), config.toDict());
    assertEquals(config.toDict(), parse(reread(config.toDict()).toString()).toDict());
  }

  @Test
  void hubFilesWithFewerKeysParseAndFillDefaults() {
    QuantizationConfig awq =
        parse(
            """
            {"bits": 4, "group_size": 128, "modules_to_not_convert": null,
             "quant_method": "awq", "version": "GEMM", "zero_point": true}""");
    assertEquals("gemm", awq.toDict().get("version").asText());
    assertEquals("gemm", awq.toDict().get("format").asText());

    QuantizationConfig autoGptq =
        parse(
            """
            {"bits": 4, "damp_percent": 0.1, "desc_act": true, "group_size": 128,
             "model_file_base_name": "model", "model_name_or_path": null, "quant_method": "gptq",
             "sym": true, "true_sequential": true}""");
    ObjectNode dict = autoGptq.toDict();
    assertEquals("gptq", dict.get("checkpoint_format").asText(), "a file without a format is v1");
    assertTrue(dict.get("desc_act").booleanValue());
    assertEquals("model", dict.get("model_file_base_name").asText(), "old keys are kept");
    assertTrue(autoGptq.unknownKeys().containsKey("model_name_or_path"));

    QuantizationConfig deepseek =
        parse(
            """
            {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
             "weight_block_size": [128, 128]}""");
    assertEquals(List.of("fmt"), List.copyOf(deepseek.unknownKeys().keySet()));
    assertEquals("float", deepseek.toDict().get("scale_fmt").asText());

    QuantizationConfig qwen =
        parse(
            """
            {"quant_method": "fp8", "ignored_layers": ["lm_head"]}""");
    assertEquals(List.of("lm_head"), qwen.modulesToNotConvert(), "the Hub alias ignored_layers");
    assertFalse(qwen.toDict().has("ignored_layers"));
  }
}
