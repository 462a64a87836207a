package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FBGEMM FP8, fine-grained FP8 and EETQ through the loader and saver: the checkpoints transformers
 * wrote (testdata/golden/fp8-eetq) load with no config passed and hold the weights we quantize from
 * the same bf16 model; saving our quantization gives their module tensors byte for byte; and
 * tiny-llama quantized, saved and reloaded gives the same logits.
 */
class Fp8EetqEndToEndTest {
  static final String BF16 = "golden/official/random-1layer-bf16";
  static final List<String> LINEARS =
      List.of(
          "model.layers.0.self_attn.q_proj",
          "model.layers.0.self_attn.k_proj",
          "model.layers.0.self_attn.v_proj",
          "model.layers.0.self_attn.o_proj",
          "model.layers.0.mlp.gate_proj",
          "model.layers.0.mlp.up_proj",
          "model.layers.0.mlp.down_proj");

  /** Folders whose every linear is quantized exactly as quant4j does (see the golden script). */
  @ParameterizedTest
  @ValueSource(strings = {"fbgemm-fp8", "eetq"})
  void savingOurQuantizationGivesTheReferenceModuleTensors(String name, @TempDir Path tmp) {
    Path golden = TestFiles.testdata("golden/fp8-eetq/" + name);
    Path out = tmp.resolve("out");
    QuantizationConfig config;
    try (CausalLm reference = CausalLm.fromPretrained(golden)) {
      assertTrue(reference.loadReport().preQuantized());
      assertEquals(7, reference.loadReport().quantizedCount());
      config = reference.quantization().orElseThrow();
      try (CausalLm ours =
          CausalLm.fromPretrained(
              TestFiles.requireShared(BF16), LoadOptions.builder().quantization(config).build())) {
        for (String p : LINEARS) {
          assertArrayEquals(
              reference.dequantizedWeight(p + ".weight").orElseThrow(),
              ours.dequantizedWeight(p + ".weight").orElseThrow(),
              p);
        }
        ours.savePretrained(out);
      }
    }
    try (SafetensorsFile expected = SafetensorsFile.open(golden.resolve("model.safetensors"));
        SafetensorsFile actual = SafetensorsFile.open(out.resolve("model.safetensors"))) {
      for (TensorView e :
          expected.tensors().stream().map(t -> expected.tensor(t.name())).toList()) {
        if (!e.name().contains("_proj.")) {
          continue; // EETQ's reference was loaded in float16: its other tensors are float16
        }
        TensorView a = actual.tensor(e.name());
        assertEquals(e.dtype(), a.dtype(), e.name());
        assertEquals(e.shape(), a.shape(), e.name());
        assertArrayEquals(
            e.data().toArray(ValueLayout.JAVA_BYTE),
            a.data().toArray(ValueLayout.JAVA_BYTE),
            e.name());
      }
    }
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertEquals(config.toDict(), reloaded.quantization().orElseThrow().toDict());
    }
  }

  /**
   * transformers' on-the-fly files round the weights to e4m3 before quantizing (a 5.17 loader bug,
   * see the golden script), so they are close to the bf16 weights but not quant4j's codes.
   */
  @ParameterizedTest
  @ValueSource(strings = {"fp8", "fp8-ue8m0", "fp8-block64"})
  void fineGrainedCheckpointsTransformersWroteLoad(String name) {
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.testdata("golden/fp8-eetq/" + name));
        SafetensorsFile bf16 =
            SafetensorsFile.open(TestFiles.requireShared(BF16).resolve("model.safetensors"))) {
      assertTrue(lm.loadReport().preQuantized());
      assertEquals(7, lm.loadReport().quantizedCount());
      String w = "model.layers.0.mlp.down_proj.weight";
      float[] q = lm.dequantizedWeight(w).orElseThrow();
      float[] ref = bf16.tensor(w).toFloatArray();
      double worst = 0;
      for (int i = 0; i < q.length; i++) {
        worst = Math.max(worst, Math.abs(q[i] - ref[i]));
      }
      assertTrue(worst > 0 && worst < 1e-2, name + " worst error " + worst);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fbgemm-fp8", "fp8", "eetq-int8"})
  void tinyLlamaSaveThenReloadIsBitExact(String preset, @TempDir Path tmp) {
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    Path out = tmp.resolve("quantized");
    float[] before;
    java.util.Map<String, float[]> weightsBefore = new java.util.TreeMap<>();
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(42, lm.loadReport().quantizedCount(), "every linear layer but lm_head");
      assertTrue(lm.loadReport().skipped().contains("lm_head.weight"));
      // Warm up first: in a cold JVM the Vector API's float reductions run in a fallback whose
      // summation order differs from C2's intrinsics, so the first passes can differ in the last
      // bit from later ones (seen with whichever preset runs first).
      for (int i = 0; i < 3; i++) {
        SaveReloadTest.logits(lm);
      }
      before = SaveReloadTest.logits(lm);
      for (int layer = 0; layer < lm.config().numHiddenLayers(); layer++) {
        for (String p : LINEARS) {
          String w = p.replace("layers.0", "layers." + layer) + ".weight";
          weightsBefore.put(w, lm.dequantizedWeight(w).orElseThrow());
        }
      }
      lm.savePretrained(out);
    }
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
      assertEquals(config.toDict(), reloaded.quantization().orElseThrow().toDict());
      weightsBefore.forEach(
          (w, v) -> assertArrayEquals(v, reloaded.dequantizedWeight(w).orElseThrow(), w));
      assertArrayEquals(before, SaveReloadTest.logits(reloaded));
    }
  }
}
