package dev.quant4j.quantizers.hqq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class HqqConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static HqqConfig parse(JsonNode node) {
    return (HqqConfig) QuantizationMethods.load().parse(null, node);
  }

  private static List<String> keys(JsonNode node) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      out.add(k);
      if (node.get(k).isObject()) {
        keys(node.get(k)).forEach(c -> out.add(k + "." + c));
      }
    }
    return out;
  }

  /** The config transformers 4.4x + hqq wrote: read, written back with the same keys in order. */
  @Test
  void officialConfigRoundTripsWithHqqsKeyOrder() throws IOException {
    Path file = TestFiles.requireShared("golden/official/random-1layer-hqq-4bit/config.json");
    JsonNode saved = JSON.readTree(file.toFile()).get("quantization_config");
    HqqConfig c = parse(saved);
    ObjectNode dict = c.toDict();
    assertEquals(saved, dict);
    assertEquals(keys(saved), keys(dict));
    assertEquals(dict, parse(dict).toDict());
    assertEquals(4, c.layer().nbits());
    assertTrue(c.layer().roundZero());
    assertEquals(List.of("lm_head"), c.skipModules());
  }

  @Test
  void argumentFormAndSavedFormAreTheSameConfig() throws IOException {
    HqqConfig args =
        parse(JSON.readTree("{\"quant_method\": \"hqq\", \"nbits\": 4, \"group_size\": 64}"));
    Path file = TestFiles.requireShared("golden/official/random-1layer-hqq-4bit/config.json");
    HqqConfig saved = parse(JSON.readTree(file.toFile()).get("quantization_config"));
    assertEquals(saved.toDict(), args.toDict());
    assertEquals(saved.layer(), args.layer());
  }

  @Test
  void dynamicConfigRoundTripsPerTag() throws IOException {
    HqqConfig c =
        parse(
            JSON.readTree(
                "{\"quant_method\": \"hqq\", \"skip_modules\": [\"lm_head\", \"mlp.gate_proj\"],"
                    + " \"dynamic_config\": {\"self_attn.q_proj\": {\"nbits\": 3, \"group_size\": 32},"
                    + " \"mlp.down_proj\": {\"nbits\": 8, \"group_size\": 128}}}"));
    HqqConfig again = parse(c.toDict());
    assertEquals(c.toDict(), again.toDict());
    assertEquals(3, again.layerFor("self_attn.q_proj").orElseThrow().nbits());
    assertEquals(128, again.layerFor("mlp.down_proj").orElseThrow().groupSize());
    assertTrue(again.layerFor("self_attn.k_proj").isEmpty());
    assertEquals(List.of("lm_head", "mlp.gate_proj"), again.skipModules());
  }

  @Test
  void theMethodSaysWhatItSupports() {
    var s = new HqqMethod().support();
    assertTrue(s.quantizeOnLoad() && s.loadPrequantized() && s.save());
  }
}
