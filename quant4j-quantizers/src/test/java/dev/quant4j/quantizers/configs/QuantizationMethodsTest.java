package dev.quant4j.quantizers.configs;

import static dev.quant4j.quantizers.configs.Dicts.METHODS;
import static dev.quant4j.quantizers.configs.Dicts.obj;
import static dev.quant4j.quantizers.configs.Dicts.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.ConfigException;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantizers.bnb.BitsAndBytesConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantizationMethodsTest {
  static final List<String> METHOD_NAMES =
      List.of(
          "aqlm",
          "awq",
          "bitnet",
          "bitsandbytes",
          "compressed-tensors",
          "eetq",
          "fbgemm_fp8",
          "fp8",
          "gptq",
          "higgs",
          "hqq",
          "quanto",
          "torchao",
          "vptq");

  static List<String> methodNames() {
    return METHOD_NAMES;
  }

  @Test
  void findsAllFourteenMethodsAndTheTestOnlyOne() {
    List<String> expected = new ArrayList<>(METHOD_NAMES);
    expected.add(TestOnlyMethod.NAME);
    expected.sort(null);
    assertEquals(expected, METHODS.names());
    assertEquals(expected, METHODS.all().stream().map(QuantizationMethod::quantMethod).toList());
    // Support flags change as the quantizers land; each method must at least declare them.
    METHODS.all().forEach(m -> assertNotNull(m.support(), m.quantMethod()));
    assertFalse(METHODS.find(TestOnlyMethod.NAME).orElseThrow().support().any());
  }

  @Test
  void aProviderFromTheTestClassPathAloneParses() {
    QuantizationConfig c = parse("{\"quant_method\": \"test-only\", \"level\": 3, \"x\": [1]}");
    assertEquals(obj("{\"level\": 3, \"quant_method\": \"test-only\", \"x\": [1]}"), c.toDict());
  }

  @Test
  void unknownAndMissingMethodsListTheSupportedOnes() {
    for (String json : List.of("{\"quant_method\": \"gguf\"}", "{}", "{\"quant_method\": null}")) {
      ConfigException e = assertThrows(ConfigException.class, () -> parse(json));
      assertEquals("quant_method", e.key());
      for (String name : METHOD_NAMES) {
        assertTrue(e.getMessage().contains(name), () -> e.getMessage() + " lacks " + name);
      }
    }
    ConfigException notObject =
        assertThrows(ConfigException.class, () -> METHODS.parse(Dicts.FILE, obj("{}").arrayNode()));
    assertTrue(notObject.getMessage().contains("object"), notObject.getMessage());
  }

  @Test
  void bitsandbytesFlagsSelectTheMethodWithoutQuantMethod() {
    // transformers dispatches on the flags alone.
    assertInstanceOf(BitsAndBytesConfig.class, parse("{\"load_in_4bit\": true}"));
  }

  @Test
  void defaultsDiffToJustQuantMethod() {
    for (QuantizationMethod m : METHODS.all()) {
      m.defaults()
          .ifPresent(
              d -> {
                assertEquals(
                    obj("{\"quant_method\": \"" + m.quantMethod() + "\"}"), d.toDiffDict());
                assertEquals(d.toDict(), m.fromDict(null, d.toDict()).toDict(), m.quantMethod());
              });
    }
    assertTrue(METHODS.find("gptq").orElseThrow().defaults().isEmpty(), "bits is required");
    assertTrue(METHODS.find("torchao").orElseThrow().defaults().isEmpty(), "quant_type too");
  }
}
