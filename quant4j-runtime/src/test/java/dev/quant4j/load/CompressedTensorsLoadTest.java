package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.TensorData;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * compressed-tensors end to end: tiny-llama quantized while loading, saved, reloaded bit-exactly;
 * the random one-layer Llama of ../shared saved in exactly the golden tensors of
 * testdata/golden/ct-*, and those tensors loading as a checkpoint.
 */
class CompressedTensorsLoadTest {
  static final String BF16 = "golden/official/random-1layer-bf16";
  static final ObjectMapper JSON = new ObjectMapper();
  static final int[] IDS = {1, 17, 42, 99, 200, 3};

  @ParameterizedTest
  @ValueSource(strings = {"ct-w4a16", "ct-fp8", "ct-nvfp4a16", "ct-mxfp4a16"})
  void tinyLlamaSavesAndReloadsBitExactly(String preset, @TempDir Path tmp) throws IOException {
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    Path out = tmp.resolve("q");
    Path again = tmp.resolve("q2");
    float[] before;
    Map<String, float[]> weights = new java.util.TreeMap<>();
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(
          42, lm.loadReport().quantizedCount(), "every linear layer but the ignored lm_head");
      assertTrue(lm.loadReport().skipped().contains("lm_head.weight"));
      before = SaveReloadTest.logits(lm);
      for (var e : lm.loadReport().weights()) {
        lm.dequantizedWeight(e.name()).ifPresent(v -> weights.put(e.name(), v));
      }
      lm.savePretrained(out);
    }
    JsonNode saved =
        JSON.readTree(Files.readString(out.resolve("config.json"))).get("quantization_config");
    assertEquals("compressed", saved.get("quantization_status").asText());
    assertEquals(config.toDict().get("format"), saved.get("format"));
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
      assertEquals(42, reloaded.loadReport().quantizedCount());
      assertEquals(42, weights.size());
      weights.forEach(
          (name, v) -> assertArrayEquals(v, reloaded.dequantizedWeight(name).orElseThrow(), name));
      assertClose(before, SaveReloadTest.logits(reloaded));
      reloaded.savePretrained(again);
    }
    assertArrayEquals(
        Files.readAllBytes(out.resolve("model.safetensors")),
        Files.readAllBytes(again.resolve("model.safetensors")),
        "a loaded checkpoint saves back byte for byte");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "w4a16",
        "w4a16-asym",
        "fp8",
        "fp8-block",
        "w8a8",
        "w8-tensor-asym",
        "nvfp4a16",
        "mxfp4a16"
      })
  void randomLayerSavesTheGoldenTensorsAndTheyLoadAsACheckpoint(String scheme, @TempDir Path tmp)
      throws IOException {
    Path bf16 = TestFiles.requireShared(BF16);
    Path golden = TestFiles.testdata("golden/ct-" + scheme);
    ObjectNode dict =
        (ObjectNode) JSON.readTree(Files.readString(golden.resolve("quantization_config.json")));
    QuantizationConfig config =
        QuantizationMethods.load().parse(golden.resolve("quantization_config.json"), dict);
    Path out = tmp.resolve("saved");
    float[] onTheFly;
    try (CausalLm lm =
        CausalLm.fromPretrained(bf16, LoadOptions.builder().quantization(config).build())) {
      assertEquals(7, lm.loadReport().quantizedCount());
      onTheFly = logits(lm);
      lm.savePretrained(out);
    }
    Path assembled = tmp.resolve("assembled");
    List<TensorData> checkpoint = new ArrayList<>();
    try (SafetensorsFile expected = SafetensorsFile.open(golden.resolve("model.safetensors"));
        SafetensorsFile original = SafetensorsFile.open(bf16.resolve("model.safetensors"));
        SafetensorsFile actual = SafetensorsFile.open(out.resolve("model.safetensors"))) {
      for (var info : expected.tensors()) {
        if (!info.name().startsWith("small.") && !info.name().startsWith("edge.")) {
          assertSameBytes(expected.tensor(info.name()), actual.tensor(info.name()));
          checkpoint.add(TensorData.of(expected.tensor(info.name())));
        }
      }
      for (var info : original.tensors()) {
        if (!info.name().endsWith("_proj.weight")) {
          assertSameBytes(original.tensor(info.name()), actual.tensor(info.name()));
          checkpoint.add(TensorData.of(original.tensor(info.name())));
        }
      }
      assertEquals(checkpoint.size(), actual.tensors().size(), "nothing else is saved");
      Files.createDirectories(assembled);
      SafetensorsWriter.write(
          assembled.resolve("model.safetensors"), Map.of("format", "pt"), checkpoint);
    }
    ObjectNode cfg = (ObjectNode) JSON.readTree(Files.readString(bf16.resolve("config.json")));
    cfg.set("quantization_config", dict);
    Files.writeString(assembled.resolve("config.json"), JSON.writeValueAsString(cfg));
    try (CausalLm loaded = CausalLm.fromPretrained(assembled)) {
      assertTrue(loaded.loadReport().preQuantized());
      assertEquals(7, loaded.loadReport().quantizedCount());
      assertClose(onTheFly, logits(loaded));
    }
  }

  /**
   * The same weights give the same logits up to the Panama kernels' lane-reduction order, which
   * differs between the interpreter's first forward pass and compiled code (seen on plain bf16
   * too).
   */
  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i], actual[i], 1e-5f * Math.max(1f, Math.abs(expected[i])), "logit " + i);
    }
  }

  private static void assertSameBytes(TensorView e, TensorView a) {
    assertEquals(e.dtype(), a.dtype(), e.name());
    assertEquals(e.shape(), a.shape(), e.name());
    assertArrayEquals(
        e.data().toArray(ValueLayout.JAVA_BYTE), a.data().toArray(ValueLayout.JAVA_BYTE), e.name());
  }

  private static float[] logits(CausalLm lm) {
    float[] out = new float[IDS.length * lm.model().vocabSize()];
    lm.model().newSession(IDS.length).forward(IDS, 0, IDS.length, out, LogitsMode.ALL);
    return out;
  }
}
