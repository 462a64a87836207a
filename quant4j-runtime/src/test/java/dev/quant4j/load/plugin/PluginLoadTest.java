package dev.quant4j.load.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadOptions;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.testing.TestFiles;
import org.junit.jupiter.api.Test;

/** A method known only to the test class path loads a model through the unchanged loader. */
class PluginLoadTest {
  @Test
  void aTestOnlyMethodQuantizesWhileLoading() {
    var config =
        QuantizationMethods.load()
            .parse(
                null,
                JsonNodeFactory.instance.objectNode().put("quant_method", RowInt8Method.NAME));
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(RowInt8Method.NAME, lm.loadReport().quantMethod().orElseThrow());
      assertEquals(42, lm.loadReport().quantizedCount());
      assertTrue(lm.loadReport().weights().stream().anyMatch(w -> w.format().equals("row-int8")));
      var r =
          lm.generate(
              "The jury said that the",
              lm.defaultGenerationOptions().toBuilder().maxNewTokens(4).build());
      assertEquals(4, r.generatedIds().length);
    }
  }

  @Test
  void aSaveThatFailsMidwayLeavesNothingBehind(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
    var config =
        QuantizationMethods.load()
            .parse(
                null,
                JsonNodeFactory.instance
                    .objectNode()
                    .put("quant_method", RowInt8Method.NAME)
                    .put(RowInt8Method.BREAK_SAVE, true));
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      org.junit.jupiter.api.Assertions.assertThrows(
          RuntimeException.class, () -> lm.savePretrained(tmp.resolve("out")));
    }
    try (var left = java.nio.file.Files.list(tmp)) {
      assertEquals(java.util.List.of(), left.toList(), "no output and no staging folder");
    }
  }
}
