package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.quantizers.bnb.BitsAndBytesConfig;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against checkpoints bitsandbytes itself wrote (../shared/golden/official): quantizing
 * the bf16 model while loading and saving it gives exactly bitsandbytes' tensors, and those
 * checkpoints load with no quantization config passed.
 */
class BitsAndBytesOfficialTest {
  static final String BF16 = "golden/official/random-1layer-bf16";

  @Test
  void nf4DoubleQuantSaveIsByteIdenticalToBitsandbytes(@TempDir Path tmp) {
    var config =
        BitsAndBytesConfig.builder()
            .loadIn4bit(true)
            .quantType("nf4")
            .useDoubleQuant(true)
            .computeDtype("bfloat16")
            .build();
    assertSavedEqualsOfficial(
        config, "golden/official/random-1layer-bnb-nf4-dq", tmp.resolve("out"));
  }

  @Test
  void int8SaveIsByteIdenticalToBitsandbytes(@TempDir Path tmp) {
    var config = BitsAndBytesConfig.builder().loadIn8bit(true).build();
    assertSavedEqualsOfficial(config, "golden/official/random-1layer-bnb-int8", tmp.resolve("out"));
  }

  @Test
  void officialCheckpointsLoadWithoutAConfigAndMatchOurQuantization() {
    for (String official :
        List.of(
            "golden/official/random-1layer-bnb-nf4-dq", "golden/official/random-1layer-bnb-int8")) {
      Path dir = TestFiles.requireShared(official);
      Path bf16 = TestFiles.requireShared(BF16);
      try (CausalLm prequantized = CausalLm.fromPretrained(dir);
          CausalLm onTheFly =
              CausalLm.fromPretrained(
                  bf16,
                  LoadOptions.builder()
                      .quantization(prequantized.quantization().orElseThrow())
                      .build())) {
        assertTrue(prequantized.loadReport().preQuantized());
        assertEquals(7, prequantized.loadReport().quantizedCount(), official);
        int[] ids = {1, 17, 42, 99, 200, 3};
        float[] a = logits(prequantized, ids);
        float[] b = logits(onTheFly, ids);
        assertArrayEquals(b, a, official + ": same weights must give the same logits");
      }
    }
  }

  private static float[] logits(CausalLm lm, int[] ids) {
    float[] out = new float[ids.length * lm.model().vocabSize()];
    lm.model().newSession(ids.length).forward(ids, 0, ids.length, out, LogitsMode.ALL);
    return out;
  }

  private static void assertSavedEqualsOfficial(
      BitsAndBytesConfig config, String official, Path out) {
    Path bf16 = TestFiles.requireShared(BF16);
    Path expectedDir = TestFiles.requireShared(official);
    try (CausalLm lm =
        CausalLm.fromPretrained(bf16, LoadOptions.builder().quantization(config).build())) {
      lm.savePretrained(out);
    }
    try (SafetensorsFile expected = SafetensorsFile.open(expectedDir.resolve("model.safetensors"));
        SafetensorsFile actual = SafetensorsFile.open(out.resolve("model.safetensors"))) {
      List<String> expectedNames = expected.tensors().stream().map(t -> t.name()).sorted().toList();
      List<String> actualNames = actual.tensors().stream().map(t -> t.name()).sorted().toList();
      assertEquals(expectedNames, actualNames, "tensor names");
      for (String name : expectedNames) {
        TensorView e = expected.tensor(name);
        TensorView a = actual.tensor(name);
        assertEquals(e.dtype(), a.dtype(), name + " dtype");
        assertEquals(e.shape(), a.shape(), name + " shape");
        assertArrayEquals(
            e.data().toArray(ValueLayout.JAVA_BYTE),
            a.data().toArray(ValueLayout.JAVA_BYTE),
            name + " bytes");
      }
    }
    // The saved folder loads again with no config passed, as transformers' own save does.
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
    }
  }
}
