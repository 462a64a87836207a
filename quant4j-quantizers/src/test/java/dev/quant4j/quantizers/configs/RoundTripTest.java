package dev.quant4j.quantizers.configs;

import static dev.quant4j.quantizers.configs.Dicts.obj;
import static dev.quant4j.quantizers.configs.Dicts.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.bnb.BitsAndBytesConfig;
import dev.quant4j.quantizers.compressed.CompressedTensorsConfig;
import dev.quant4j.quantizers.gptq.GPTQConfig;
import dev.quant4j.quantizers.hqq.HqqConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RoundTripTest {
  @ParameterizedTest
  @MethodSource("dev.quant4j.quantizers.configs.QuantizationMethodsTest#methodNames")
  void unknownKeysSurviveARoundTrip(String method) {
    String extra = method.equals("gptq") ? ", \"bits\": 4" : "";
    extra += method.equals("torchao") ? ", \"quant_type\": \"int8_weight_only\"" : "";
    QuantizationConfig c =
        parse(
            "{\"quant_method\": \""
                + method
                + "\", \"zz_future\": {\"a\": [1, 2.5]}, \"_note\": \"x\""
                + extra
                + "}");
    ObjectNode dict = c.toDict();
    assertEquals(obj("{\"a\": [1, 2.5]}"), dict.get("zz_future"), method);
    assertEquals("x", dict.get("_note").asText(), method);
    assertEquals(Set.of("zz_future", "_note"), c.unknownKeys().keySet(), method);
    ObjectNode again = parse(dict.toString()).toDict();
    assertEquals(dict, again, method);
    assertTrue(c.toDiffDict().has("zz_future"), "unknown keys always differ from the defaults");
  }

  @Test
  void keysAreSortedAsConfigJsonIsWritten() {
    ObjectNode dict = BitsAndBytesConfig.DEFAULTS.toDict();
    List<String> keys = dict.properties().stream().map(java.util.Map.Entry::getKey).toList();
    assertEquals(keys.stream().sorted().toList(), keys);
    assertEquals("_load_in_4bit", keys.getFirst());
  }

  @Test
  void diffDictHoldsOnlyTheChanges() {
    QuantizationConfig nf4 =
        parse(
            "{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true, \"bnb_4bit_quant_type\": \"nf4\"}");
    assertEquals(
        obj(
            "{\"_load_in_4bit\": true, \"bnb_4bit_quant_type\": \"nf4\", \"load_in_4bit\": true,"
                + " \"quant_method\": \"bitsandbytes\"}"),
        nf4.toDiffDict());
    assertEquals(
        obj("{\"bits\": 4, \"quant_method\": \"gptq\"}"),
        GPTQConfig.builder(4).build().toDiffDict());
  }

  @Test
  void bitsAndBytesBuilderMatchesTheDict() {
    BitsAndBytesConfig built =
        BitsAndBytesConfig.builder()
            .loadIn4bit(true)
            .quantType("nf4")
            .useDoubleQuant(true)
            .computeDtype("torch.bfloat16")
            .build();
    assertEquals(
        parse(
                "{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true, \"bnb_4bit_quant_type\":"
                    + " \"nf4\", \"bnb_4bit_use_double_quant\": true, \"bnb_4bit_compute_dtype\": \"bfloat16\"}")
            .toDict(),
        built.toDict());
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> BitsAndBytesConfig.builder().quantType("nf5").build());
    assertEquals(
        "bnb_4bit_quant_type: unknown 4-bit type (expected one of [fp4, nf4], actual \"nf5\")",
        e.getMessage());
  }

  @Test
  void onlyTheShadowFlagIsEnough() {
    BitsAndBytesConfig c =
        (BitsAndBytesConfig) parse("{\"quant_method\": \"bitsandbytes\", \"_load_in_8bit\": true}");
    assertTrue(c.loadIn8bit());
  }

  @Test
  void hqqArgumentFormIsWrittenInHqqsOwnShape() {
    HqqConfig c =
        (HqqConfig) parse("{\"quant_method\": \"hqq\", \"nbits\": 3, \"group_size\": 32}");
    ObjectNode weights = (ObjectNode) c.toDict().at("/quant_config/weight_quant_params");
    assertEquals(3, weights.get("nbits").intValue());
    assertEquals(32, weights.get("group_size").intValue());
    assertEquals(1, weights.get("axis").intValue(), "axis None becomes 1");
    assertEquals(false, weights.get("round_zero").booleanValue(), "round_zero only at 4 bits");
    assertEquals(List.of("lm_head"), c.modulesToNotConvert());
    assertEquals(c.toDict(), parse(c.toDict().toString()).toDict());
  }

  @Test
  void hqqDynamicConfigGivesOneLayerConfigPerTag() {
    HqqConfig c =
        (HqqConfig)
            parse(
                "{\"quant_method\": \"hqq\", \"dynamic_config\": {\"self_attn.q_proj\": {\"nbits\": 4,"
                    + " \"group_size\": 64}, \"mlp.down_proj\": {\"nbits\": 2, \"group_size\": 16}}}");
    assertEquals(2, c.layerFor("mlp.down_proj").orElseThrow().nbits());
    assertTrue(c.layerFor("mlp.up_proj").isEmpty(), "a tag without an entry is not quantized");
    HqqConfig again = (HqqConfig) parse(c.toDict().toString());
    assertEquals(c.toDict(), again.toDict());
    assertEquals(4, again.layerFor("self_attn.q_proj").orElseThrow().nbits());
  }

  @Test
  void compressedTensorsInfersStrategiesAndObservers() {
    CompressedTensorsConfig c =
        (CompressedTensorsConfig)
            parse(
                "{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"g\": {\"targets\":"
                    + " [\"Linear\"], \"weights\": {\"num_bits\": 4, \"group_size\": -1, \"actorder\": true},"
                    + " \"input_activations\": {\"type\": \"float\", \"strategy\": \"token\", \"dynamic\": true}}},"
                    + " \"ignore\": [\"re:.*lm_head\"], \"run_compressed\": false}");
    ObjectNode g = (ObjectNode) c.toDict().at("/config_groups/g");
    assertEquals("channel", g.at("/weights/strategy").asText(), "group_size -1 means per channel");
    assertEquals("group", g.at("/weights/actorder").asText(), "actorder true means group");
    assertEquals("memoryless_minmax", g.at("/weights/observer").asText());
    assertTrue(g.at("/input_activations/observer").isNull(), "dynamic has no observer");
    assertTrue(c.dequantize(), "run_compressed false means dequantize");
    assertEquals(List.of("re:.*lm_head"), c.modulesToNotConvert());
    assertEquals(c.toDict(), parse(c.toDict().toString()).toDict());
  }
}
