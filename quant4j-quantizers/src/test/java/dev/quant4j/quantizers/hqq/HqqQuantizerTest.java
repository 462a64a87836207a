package dev.quant4j.quantizers.hqq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationMethods;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HqqQuantizerTest {
  static final List<String> LINEARS = new ArrayList<>();

  static {
    for (int i = 0; i < 2; i++) {
      for (String p : List.of("self_attn.q_proj", "self_attn.o_proj", "mlp.down_proj")) {
        LINEARS.add("model.layers." + i + "." + p + ".weight");
      }
    }
    LINEARS.add("lm_head.weight");
  }

  private static HqqQuantizer parse(String json) {
    ObjectNode dict;
    try {
      dict = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    HqqConfig c = (HqqConfig) QuantizationMethods.load().parse(null, dict);
    return (HqqQuantizer) new HqqMethod().newQuantizer(c);
  }

  @Test
  void linearTagsDropModelLayersAndIndices() {
    assertEquals("self_attn.q_proj", HqqQuantizer.linearTag("model.layers.3.self_attn.q_proj"));
    assertEquals("lm_head", HqqQuantizer.linearTag("lm_head"));
  }

  @Test
  void skipModulesLeaveTheHeadAndNamedTagsAlone() {
    Set<String> all =
        parse("{\"quant_method\": \"hqq\", \"nbits\": 4}")
            .weightsToConvert(LINEARS, "lm_head.weight");
    assertEquals(6, all.size());
    assertTrue(all.stream().noneMatch(n -> n.startsWith("lm_head")));
    Set<String> noDown =
        parse("{\"quant_method\": \"hqq\", \"skip_modules\": [\"lm_head\", \"mlp.down_proj\"]}")
            .weightsToConvert(LINEARS, "lm_head.weight");
    assertEquals(4, noDown.size());
    assertTrue(noDown.stream().noneMatch(n -> n.contains("down_proj")));
    // hqq quantizes every linear not skipped, the output head included.
    Set<String> head =
        parse("{\"quant_method\": \"hqq\", \"skip_modules\": []}")
            .weightsToConvert(LINEARS, "lm_head.weight");
    assertTrue(head.contains("lm_head.weight"));
  }

  @Test
  void dynamicConfigQuantizesEachTagWithItsOwnSettings() {
    HqqQuantizer q =
        parse(
            "{\"quant_method\": \"hqq\", \"dynamic_config\": {\"self_attn.q_proj\": {\"nbits\": 2,"
                + " \"group_size\": 32}, \"mlp.down_proj\": {\"nbits\": 8, \"group_size\": 64}}}");
    Set<String> chosen = q.weightsToConvert(LINEARS, "lm_head.weight");
    assertEquals(4, chosen.size(), "o_proj has no entry: not quantized");
    assertTrue(chosen.stream().noneMatch(n -> n.contains("o_proj")));
    var w = HqqFormatTest.randomWeight(8, 64, 3);
    // randomWeight names the tensor mlp.down_proj: 8 bits, group 64.
    HqqLinear down = (HqqLinear) q.quantize(w);
    assertEquals(8, down.settings().nbits());
    assertEquals(64, down.settings().groupSize());
    assertEquals("hqq8", down.format());
  }

  @Test
  void storageIsTheCodesPlusOneFloatScaleAndZeroPerGroup() {
    HqqQuantizer q = parse("{\"quant_method\": \"hqq\", \"nbits\": 4, \"group_size\": 64}");
    HqqLinear w = (HqqLinear) q.quantize(HqqFormatTest.randomWeight(16, 128, 1));
    assertEquals(16 * 128 / 2 + 32 * 8, w.storageBytes());
    assertEquals(w.storageBytes(), q.estimateStorageBytes(16, 128));
  }
}
