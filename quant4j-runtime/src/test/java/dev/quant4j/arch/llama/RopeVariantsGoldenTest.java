package dev.quant4j.arch.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.load.CausalLm;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each rope type (linear, dynamic NTK, llama3, yarn) against transformers' float32 logits for
 * tiny-llama with the config overrides recorded in the golden file
 * (testdata/golden/tiny-llama-rope-variants.safetensors; how it was made:
 * testdata/golden/README.md). Dynamic NTK runs 40 tokens past a max_position_embeddings of 16, so
 * its frequencies are recomputed.
 */
class RopeVariantsGoldenTest {
  @Test
  void everyRopeTypeMatchesTransformers(@TempDir Path tmp) throws IOException {
    Path golden = TestFiles.testdata("golden/tiny-llama-rope-variants.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(golden)) {
      var ids = f.tensor("input_ids");
      int[] tokens = new int[(int) ids.numel()];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = (int) ids.getFloat(i);
      }
      ObjectNode variants = (ObjectNode) new ObjectMapper().readTree(f.metadata().get("variants"));
      assertEquals(
          java.util.Set.of("linear", "dynamic", "llama3", "yarn"),
          new java.util.HashSet<>(variants.propertyStream().map(Map.Entry::getKey).toList()));
      for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> variant :
          variants.properties()) {
        Path dir = modelWith(tmp.resolve(variant.getKey()), (ObjectNode) variant.getValue());
        float[] expected = f.tensor(variant.getKey() + ".logits").toFloatArray();
        try (CausalLm lm = CausalLm.fromPretrained(dir)) {
          float[] logits = new float[expected.length];
          lm.model()
              .newSession(tokens.length)
              .forward(tokens, 0, tokens.length, logits, LogitsMode.ALL);
          double worst = 0;
          for (int i = 0; i < logits.length; i++) {
            worst = Math.max(worst, Math.abs(logits[i] - expected[i]));
          }
          assertTrue(worst < 1e-3, variant.getKey() + ": max |logit diff| " + worst);
        }
      }
    }
  }

  private static Path modelWith(Path dir, ObjectNode overrides) throws IOException {
    Files.createDirectories(dir);
    Path src = TestFiles.tinyLlama();
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode config = (ObjectNode) mapper.readTree(src.resolve("config.json").toFile());
    config.setAll(overrides);
    Files.writeString(dir.resolve("config.json"), mapper.writeValueAsString(config));
    for (String name :
        new String[] {
          "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"
        }) {
      Files.createSymbolicLink(dir.resolve(name), src.resolve(name).toAbsolutePath());
    }
    return dir;
  }
}
