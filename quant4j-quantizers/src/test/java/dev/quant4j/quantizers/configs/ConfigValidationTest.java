package dev.quant4j.quantizers.configs;

import static dev.quant4j.quantizers.configs.Dicts.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One invalid example per validation rule of configs.md: the error names the key and the file. */
class ConfigValidationTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          bitsandbytes, both 4 and 8 bit   | load_in_4bit | {"quant_method": "bitsandbytes", "load_in_4bit": true, "load_in_8bit": true}
          bitsandbytes, threshold string   | llm_int8_threshold | {"quant_method": "bitsandbytes", "llm_int8_threshold": "6"}
          bitsandbytes, compute dtype      | bnb_4bit_compute_dtype | {"quant_method": "bitsandbytes", "bnb_4bit_compute_dtype": "float7"}
          bitsandbytes, quant storage      | bnb_4bit_quant_storage | {"quant_method": "bitsandbytes", "bnb_4bit_quant_storage": "int4"}
          bitsandbytes, quant type         | bnb_4bit_quant_type | {"quant_method": "bitsandbytes", "load_in_4bit": true, "bnb_4bit_quant_type": "nf5"}
          bitsandbytes, boolean as int     | bnb_4bit_use_double_quant | {"quant_method": "bitsandbytes", "bnb_4bit_use_double_quant": 1}
          bitsandbytes, shadow disagrees   | _load_in_4bit | {"quant_method": "bitsandbytes", "load_in_4bit": true, "_load_in_4bit": false}
          gptq, bits                       | bits | {"quant_method": "gptq", "bits": 5}
          gptq, bits missing               | bits | {"quant_method": "gptq"}
          gptq, group size 0               | group_size | {"quant_method": "gptq", "bits": 4, "group_size": 0}
          gptq, damp 1                     | damp_percent | {"quant_method": "gptq", "bits": 4, "damp_percent": 1.0}
          gptq, damp 0                     | damp_percent | {"quant_method": "gptq", "bits": 4, "damp_percent": 0}
          gptq, dataset name               | dataset | {"quant_method": "gptq", "bits": 4, "dataset": "pile"}
          gptq, dataset list               | dataset | {"quant_method": "gptq", "bits": 4, "dataset": ["a", 3]}
          gptq, format                     | format | {"quant_method": "gptq", "bits": 4, "format": "gptq_v3"}
          gptq, legacy type                | use_exllama | {"quant_method": "gptq", "bits": 4, "use_exllama": "yes"}
          awq, version                     | version | {"quant_method": "awq", "version": "gemx"}
          awq, bits                        | bits | {"quant_method": "awq", "bits": 16}
          awq, fusing key type             | do_fuse | {"quant_method": "awq", "do_fuse": "true"}
          aqlm, float size                 | in_group_size | {"quant_method": "aqlm", "in_group_size": 8.5}
          aqlm, string size                | num_codebooks | {"quant_method": "aqlm", "num_codebooks": "1"}
          aqlm, zero size                  | out_group_size | {"quant_method": "aqlm", "out_group_size": 0}
          aqlm, nbits                      | nbits_per_codebook | {"quant_method": "aqlm", "nbits_per_codebook": 0}
          quanto, weights                  | weights | {"quant_method": "quanto", "weights": "int3"}
          quanto, activations              | activations | {"quant_method": "quanto", "activations": "int4"}
          eetq, weights                    | weights | {"quant_method": "eetq", "weights": "int4"}
          higgs, bits                      | bits | {"quant_method": "higgs", "bits": 5}
          higgs, p                         | p | {"quant_method": "higgs", "p": 3}
          higgs, group size                | group_size | {"quant_method": "higgs", "group_size": 32}
          higgs, hadamard size             | hadamard_size | {"quant_method": "higgs", "group_size": 256, "hadamard_size": 384}
          hqq, nbits                       | nbits | {"quant_method": "hqq", "nbits": 5}
          hqq, axis                        | axis | {"quant_method": "hqq", "axis": 2}
          hqq, group size                  | group_size | {"quant_method": "hqq", "group_size": -64}
          hqq, saved nbits                 | quant_config.weight_quant_params.nbits | {"quant_method": "hqq", "quant_config": {"weight_quant_params": {"nbits": 6, "axis": 1}}}
          hqq, saved without params        | quant_config.weight_quant_params | {"quant_method": "hqq", "quant_config": {"weight_quant_params": null, "offload_meta": false}}
          fp8, block size length           | weight_block_size | {"quant_method": "fp8", "weight_block_size": [128]}
          fp8, block size negative         | weight_block_size | {"quant_method": "fp8", "weight_block_size": [128, -1]}
          fp8, activation scheme           | activation_scheme | {"quant_method": "fp8", "activation_scheme": "lazy"}
          fp8, scale format                | scale_fmt | {"quant_method": "fp8", "scale_fmt": "e4m3"}
          fbgemm_fp8, scale bound          | activation_scale_ub | {"quant_method": "fbgemm_fp8", "activation_scale_ub": -1.0}
          bitnet, linear class             | linear_class | {"quant_method": "bitnet", "linear_class": "linear"}
          bitnet, quantization mode        | quantization_mode | {"quant_method": "bitnet", "quantization_mode": "training"}
          torchao, unknown name            | quant_type | {"quant_method": "torchao", "quant_type": "int3_weight_only"}
          torchao, missing                 | quant_type | {"quant_method": "torchao"}
          torchao, object without default  | quant_type | {"quant_method": "torchao", "quant_type": {"_type": "Int4WeightOnlyConfig"}}
          torchao, unknown config class    | quant_type.default._type | {"quant_method": "torchao", "quant_type": {"default": {"_type": "Int5Config", "_version": 1, "_data": {}}}}
          compressed, format               | format | {"quant_method": "compressed-tensors", "format": "zip"}
          compressed, status               | quantization_status | {"quant_method": "compressed-tensors", "quantization_status": "done"}
          compressed, num bits             | config_groups.g.weights.num_bits | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"num_bits": 0}}}}
          compressed, type                 | config_groups.g.weights.type | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"type": "fixed"}}}}
          compressed, strategy             | config_groups.g.weights.strategy | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"strategy": "row"}}}}
          compressed, group needs size     | config_groups.g.weights.group_size | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"strategy": "group"}}}}
          compressed, token needs dynamic  | config_groups.g.input_activations.dynamic | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "input_activations": {"strategy": "token"}}}}
          compressed, block structure      | config_groups.g.weights.block_structure | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"strategy": "block"}}}}
          compressed, no targets           | config_groups.g.targets | {"quant_method": "compressed-tensors", "config_groups": {"g": {"weights": {"num_bits": 4}}}}
          compressed, dynamic channel      | config_groups.g.weights.dynamic | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"strategy": "channel", "dynamic": true}}}}
          compressed, actorder             | config_groups.g.weights.actorder | {"quant_method": "compressed-tensors", "config_groups": {"g": {"targets": ["Linear"], "weights": {"group_size": 128, "actorder": "random"}}}}
          compressed, preset name          | config_groups.group_0 | {"quant_method": "compressed-tensors", "config_groups": {"group_0": ["Linear"]}}
          vptq, proxy error                | enable_proxy_error | {"quant_method": "vptq", "enable_proxy_error": true}
          vptq, unpacked indices           | config_for_layers.l.is_indice_packed | {"quant_method": "vptq", "config_for_layers": {"l": {"is_indice_packed": false}}}
          any, unknown method              | quant_method | {"quant_method": "gguf"}
          any, missing method              | quant_method | {"bits": 4}
          any, method not a string         | quant_method | {"quant_method": 4}
          hqq, dynamic layer nbits         | dynamic_config.mlp.down_proj.nbits | {"quant_method": "hqq", "dynamic_config": {"mlp.down_proj": {"nbits": 7}}}
          """)
  void invalidConfigNamesTheKey(String rule, String key, String json) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(json), rule);
    assertTrue(e.getMessage().startsWith(key + ": "), () -> rule + ": " + e.getMessage());
    assertEquals(key, e.key(), rule);
    assertEquals(Dicts.FILE, e.file().orElseThrow(), rule);
  }
}
