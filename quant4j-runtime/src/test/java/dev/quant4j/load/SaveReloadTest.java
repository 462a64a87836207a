package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Quantize tiny-llama while loading, save, load the saved folder: the same weights and logits. */
class SaveReloadTest {
  static final int[] PROMPT = {15, 300, 1024, 7, 2048, 99, 4095};

  @ParameterizedTest
  @ValueSource(strings = {"bnb-int8", "bnb-fp4", "bnb-nf4", "bnb-nf4-dq"})
  void reloadIsBitExact(String preset, @TempDir Path tmp) {
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    Path out = tmp.resolve("quantized");
    float[] before;
    float[] weightBefore;
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(42, lm.loadReport().quantizedCount(), "every linear layer but lm_head");
      assertFalse(lm.loadReport().skipped().stream().anyMatch(n -> n.contains("mlp.down_proj")));
      assertTrue(
          lm.loadReport().skipped().contains("lm_head.weight"),
          "the output head stays unquantized");
      before = logits(lm);
      weightBefore = lm.dequantizedWeight("model.layers.2.mlp.down_proj.weight").orElseThrow();
      lm.savePretrained(out);
    }
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
      assertEquals(config.toDict(), reloaded.quantization().orElseThrow().toDict());
      assertArrayEquals(
          weightBefore,
          reloaded.dequantizedWeight("model.layers.2.mlp.down_proj.weight").orElseThrow());
      assertArrayEquals(before, logits(reloaded));
    }
  }

  @Test
  void quantizedLogitsStayCloseToTheFloatModel() {
    float[] reference;
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama())) {
      reference = logits(lm);
    }
    QuantizationConfig int8 = QuantizationSpecs.load().resolve("bnb-int8");
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(int8).build())) {
      float[] q = logits(lm);
      double worst = 0;
      double sum = 0;
      for (int i = 0; i < q.length; i++) {
        worst = Math.max(worst, Math.abs(q[i] - reference[i]));
        sum += Math.abs(reference[i]);
      }
      // int8 rows keep ~2.5 significant digits: logits move by a small fraction of their scale.
      assertTrue(worst < 0.05 * (sum / q.length) + 0.5, "int8 logits drift " + worst);
      assertTrue(worst > 0, "quantization must change something");
    }
  }

  @Test
  void dequantizeGivesAFloatModelThatSavesWithoutQuantizationConfig(@TempDir Path tmp)
      throws IOException {
    QuantizationConfig nf4 = QuantizationSpecs.load().resolve("bnb-nf4");
    Path out = tmp.resolve("dequantized");
    float[] quantizedLogits;
    float[] dequantizedLogits;
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(nf4).build())) {
      quantizedLogits = logits(lm);
      float[] packed = lm.dequantizedWeight("model.layers.0.self_attn.q_proj.weight").orElseThrow();
      try (CausalLm dense = lm.dequantize()) {
        assertTrue(dense.quantization().isEmpty());
        assertEquals(0, dense.loadReport().quantizedCount());
        assertArrayEquals(
            packed,
            dense.dequantizedWeight("model.layers.0.self_attn.q_proj.weight").orElseThrow());
        dequantizedLogits = logits(dense);
        dense.savePretrained(out);
      }
    }
    // The 4-bit kernels and the float32 kernels see the same weights; the 4-bit layers also
    // quantize their activations to int8 (ActivationPrecision.INT8, Packed4BitMatrix's default),
    // which moves this small model's logits by a few percent (its perplexity by 0.01 %): compare
    // in relative RMS, which wrong weights would put near 1.
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < quantizedLogits.length; i++) {
      double d = quantizedLogits[i] - dequantizedLogits[i];
      diff += d * d;
      norm += (double) dequantizedLogits[i] * dequantizedLogits[i];
    }
    assertTrue(Math.sqrt(diff / norm) < 0.03, "relative RMS " + Math.sqrt(diff / norm));
    assertFalse(Files.readString(out.resolve("config.json")).contains("quantization_config"));
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.quantization().isEmpty());
      float[] reloadedLogits = logits(reloaded);
      for (int i = 0; i < quantizedLogits.length; i++) {
        // saved in the model's bf16: 8 bits of mantissa per weight
        assertEquals(dequantizedLogits[i], reloadedLogits[i], 0.05, "logit " + i);
      }
    }
  }

  @Test
  void refusesToSaveOverAnExistingCheckpoint(@TempDir Path tmp) throws IOException {
    Path target = tmp.resolve("taken");
    Files.createDirectories(target);
    Files.writeString(target.resolve("keep.txt"), "precious");
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama())) {
      assertThrows(CheckpointIoException.class, () -> lm.savePretrained(target));
      assertThrows(CheckpointIoException.class, () -> lm.savePretrained(TestFiles.tinyLlama()));
    }
    assertEquals("precious", Files.readString(target.resolve("keep.txt")));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(1, s.count(), "no staging folder left behind");
    }
  }

  static float[] logits(CausalLm lm) {
    float[] out = new float[PROMPT.length * lm.model().vocabSize()];
    lm.model().newSession(PROMPT.length).forward(PROMPT, 0, PROMPT.length, out, LogitsMode.ALL);
    return out;
  }
}
