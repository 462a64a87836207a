package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HQQ end to end: the checkpoint hqq 0.2.8 wrote (../shared/golden/official/random-1layer-hqq-4bit)
 * loads with no config passed and computes exactly what quantizing random-1layer-bf16 while loading
 * computes; saving that on-the-fly model writes the official HQQLinear tensors and config; and a
 * tiny-llama quantized at 1, 3 and 4 bits saves and reloads bit for bit.
 */
class HqqOfficialTest {
  static final String BF16 = "golden/official/random-1layer-bf16";
  static final String HQQ4 = "golden/official/random-1layer-hqq-4bit";
  static final int[] IDS = {1, 17, 42, 99, 200, 3, 255, 128};

  private static float[] logits(CausalLm lm, int[] ids) {
    float[] out = new float[ids.length * lm.model().vocabSize()];
    lm.model().newSession(ids.length).forward(ids, 0, ids.length, out, LogitsMode.ALL);
    return out;
  }

  @Test
  void officialCheckpointLoadsAndMatchesQuantizingOnTheFly() {
    Path official = TestFiles.requireShared(HQQ4);
    try (CausalLm pre = CausalLm.fromPretrained(official);
        CausalLm onTheFly =
            CausalLm.fromPretrained(
                TestFiles.requireShared(BF16),
                LoadOptions.builder().quantization(pre.quantization().orElseThrow()).build());
        CausalLm bf16 = CausalLm.fromPretrained(TestFiles.requireShared(BF16))) {
      assertTrue(pre.loadReport().preQuantized());
      assertEquals(7, pre.loadReport().quantizedCount());
      assertEquals(7, onTheFly.loadReport().quantizedCount());
      for (String name : pre.loadReport().weights().stream().map(w -> w.name()).toList()) {
        if (name.contains("_proj")) {
          assertArrayEquals(
              onTheFly.dequantizedWeight(name).orElseThrow(),
              pre.dequantizedWeight(name).orElseThrow(),
              name + ": the same HQQ tensors");
        }
      }
      float[] a = logits(pre, IDS);
      float[] b = logits(onTheFly, IDS);
      float[] ref = logits(bf16, IDS);
      double scale = 0;
      double fromFloat = 0;
      double fromOnTheFly = 0;
      for (int i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(ref[i]));
        fromFloat = Math.max(fromFloat, Math.abs(a[i] - ref[i]));
        fromOnTheFly = Math.max(fromOnTheFly, Math.abs(a[i] - b[i]));
      }
      // The official file also holds float16 casts of the bf16 embeddings, norms and lm_head (a
      // relative change of 2^-9 at most, more for values in float16's subnormal range); that, and
      // nothing else, separates its logits from ours: measured 3e-6 of the largest logit.
      assertTrue(
          fromOnTheFly <= 1e-4 * scale, "official vs on the fly: " + fromOnTheFly + " of " + scale);
      assertTrue(
          fromFloat > 0 && fromFloat < 0.25 * scale, "4-bit drift " + fromFloat + " of " + scale);
    }
  }

  @Test
  void savingTheOnTheFlyModelWritesTheOfficialTensorsAndConfig(@TempDir Path tmp)
      throws IOException {
    Path official = TestFiles.requireShared(HQQ4);
    Path out = tmp.resolve("saved");
    QuantizationConfig config;
    try (CausalLm pre = CausalLm.fromPretrained(official)) {
      config = pre.quantization().orElseThrow();
    }
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.requireShared(BF16), LoadOptions.builder().quantization(config).build())) {
      lm.savePretrained(out);
    }
    try (SafetensorsFile expected = SafetensorsFile.open(official.resolve("model.safetensors"));
        SafetensorsFile actual = SafetensorsFile.open(out.resolve("model.safetensors"))) {
      List<String> names = new ArrayList<>();
      expected.tensors().forEach(t -> names.add(t.name()));
      assertEquals(
          names.stream().sorted().toList(),
          actual.tensors().stream().map(t -> t.name()).sorted().toList());
      for (String name : names) {
        TensorView e = expected.tensor(name);
        TensorView a = actual.tensor(name);
        if (name.endsWith(".weight")) {
          // Not HQQ: hqq's file holds float16 casts of the bf16 norms, embeddings and lm_head; we
          // keep them as read.
          float[] ours = a.toFloatArray();
          float[] theirs = e.toFloatArray();
          for (int i = 0; i < ours.length; i++) {
            assertEquals(
                Float.float16ToFloat(Float.floatToFloat16(ours[i])), theirs[i], name + " " + i);
          }
          continue;
        }
        assertEquals(e.dtype(), a.dtype(), name);
        assertEquals(e.shape(), a.shape(), name);
        assertArrayEquals(
            e.data().toArray(ValueLayout.JAVA_BYTE), a.data().toArray(ValueLayout.JAVA_BYTE), name);
      }
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode want =
        json.readTree(official.resolve("config.json").toFile()).get("quantization_config");
    JsonNode got = json.readTree(out.resolve("config.json").toFile()).get("quantization_config");
    assertEquals(want, got);
    assertEquals(keyOrder(want), keyOrder(got), "keys in the order hqq writes them");
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
    }
  }

  private static List<String> keyOrder(JsonNode node) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      out.add(k);
      if (node.get(k).isObject()) {
        keyOrder(node.get(k)).forEach(c -> out.add(k + "." + c));
      }
    }
    return out;
  }

  /**
   * The three storage shapes end to end (1-bit: uint8 eighths, 2-bit kernel codes; 3-bit: int32
   * words, 4-bit kernel codes; 4-bit); HqqFormatTest covers every bit width without a model.
   */
  @ParameterizedTest
  @ValueSource(strings = {"hqq-1bit", "hqq-3bit", "hqq-4bit"})
  void tinyLlamaSavesAndReloadsBitExactly(String preset, @TempDir Path tmp) {
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    Path out = tmp.resolve("quantized");
    int[] prompt = {15, 300, 1024, 7, 2048, 99, 4095};
    float[] before;
    java.util.Map<String, float[]> weights = new java.util.TreeMap<>();
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(42, lm.loadReport().quantizedCount(), "every linear layer but lm_head");
      assertTrue(lm.loadReport().skipped().contains("lm_head.weight"));
      before = logits(lm, prompt);
      for (var w : lm.loadReport().weights()) {
        if (w.quantized()) {
          weights.put(w.name(), lm.dequantizedWeight(w.name()).orElseThrow());
        }
      }
      lm.savePretrained(out);
    }
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
      assertEquals(config.toDict(), reloaded.quantization().orElseThrow().toDict());
      for (var e : weights.entrySet()) {
        assertArrayEquals(
            e.getValue(), reloaded.dequantizedWeight(e.getKey()).orElseThrow(), e.getKey());
      }
      // Same weights; the Panama kernels' float reductions may still change order between JIT
      // tiers (Vector API reduceLanes), so the logits are compared to a few ulps.
      float[] after = logits(reloaded, prompt);
      for (int i = 0; i < after.length; i++) {
        assertEquals(before[i], after[i], 1e-5f * (1 + Math.abs(before[i])), "logit " + i);
      }
    }
  }
}
