package dev.quant4j.arch.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.generation.GenerationOptions;
import dev.quant4j.generation.GenerationResult;
import dev.quant4j.generation.TextListener;
import dev.quant4j.load.CausalLm;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forward pass against what transformers computes in float32 for the same checkpoints
 * (../shared/golden/*-hf-reference.safetensors; tiny-llama's copy is in testdata): logits within
 * 1e-3 absolute at every position, identical tokenization and identical greedy continuations.
 */
class HfReferenceGoldenTest {
  static final double LOGIT_TOLERANCE = 1e-3;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(
            "tiny-llama",
            (ModelFiles)
                () ->
                    new Path[] {
                      TestFiles.tinyLlama(),
                      TestFiles.testdata("golden/tiny-llama-hf-reference.safetensors")
                    }),
        Arguments.of(
            "small-llama",
            (ModelFiles)
                () ->
                    new Path[] {
                      TestFiles.requireShared("models/small-llama"),
                      TestFiles.requireShared("golden/small-llama-hf-reference.safetensors")
                    }));
  }

  interface ModelFiles {
    Path[] paths();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void logitsTokensAndGreedyIdsMatchTransformers(String name, ModelFiles files) {
    Path[] p = files.paths();
    try (CausalLm lm = CausalLm.fromPretrained(p[0]);
        SafetensorsFile golden = SafetensorsFile.open(p[1])) {
      int vocab = lm.model().vocabSize();
      String reference = golden.metadata().get("reference");
      var prompts =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(reference).get("prompts");
      for (int i = 0; i < prompts.size(); i++) {
        int[] expectedIds = longsToInts(golden.tensor("prompt" + i + ".input_ids"));
        int[] ids = lm.tokenizer().encode(prompts.get(i).get("text").asText(), true);
        assertArrayEquals(expectedIds, ids, name + " prompt " + i + " tokenization");

        float[] expected = golden.tensor("prompt" + i + ".logits").toFloatArray();
        float[] logits = new float[ids.length * vocab];
        InferenceSession session = lm.model().newSession(ids.length);
        session.forward(ids, 0, ids.length, logits, LogitsMode.ALL);
        double worst = 0;
        for (int j = 0; j < expected.length; j++) {
          worst = Math.max(worst, Math.abs(expected[j] - logits[j]));
        }
        assertTrue(worst <= LOGIT_TOLERANCE, name + " prompt " + i + ": max |logit diff| " + worst);

        int[] greedy = longsToInts(golden.tensor("prompt" + i + ".greedy_ids"));
        GenerationOptions options =
            lm.defaultGenerationOptions().toBuilder().maxNewTokens(32).doSample(false).build();
        GenerationResult result =
            lm.generate(prompts.get(i).get("text").asText(), options, TextListener.NONE);
        assertArrayEquals(greedy, result.generatedIds(), name + " prompt " + i + " greedy ids");
        assertEquals(
            prompts.get(i).get("greedy_text").asText(),
            lm.tokenizer().decode(result.generatedIds(), false));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int[] longsToInts(TensorView t) {
    int[] out = new int[(int) t.numel()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) t.getFloat(i);
    }
    return out;
  }
}
