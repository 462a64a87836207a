package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.TensorData;
import dev.quant4j.tensor.Shape;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * optimum-quanto checkpoints through the loader: quantize tiny-llama while loading, save in
 * quanto's format (quanto_qmap.json, no quantization_config), reload it bit-exactly; and load a
 * quanto folder made from the golden module tensors.
 */
class QuantoSaveReloadTest {
  private static final String DOWN = "model.layers.2.mlp.down_proj.weight";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "quanto-int4",
        "quanto-int8",
        "quanto-int2",
        "quanto-fp8",
        "quanto-int8-a8",
        "quanto-int8-afp8"
      })
  void saveThenReloadIsBitExact(String preset, @TempDir Path tmp) throws IOException {
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    Path out = tmp.resolve("saved");
    Path again = tmp.resolve("saved-again");
    float[] before;
    float[] weightBefore;
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(42, lm.loadReport().quantizedCount(), "every linear layer but lm_head");
      before = warmLogits(lm);
      weightBefore = lm.dequantizedWeight(DOWN).orElseThrow();
      lm.savePretrained(out);
    }
    assertTrue(Files.isRegularFile(out.resolve("quanto_qmap.json")));
    assertFalse(Files.readString(out.resolve("config.json")).contains("quantization_config"));
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
      assertEquals("quanto", reloaded.quantization().orElseThrow().quantMethod());
      assertEquals(42, reloaded.loadReport().quantizedCount());
      assertArrayEquals(weightBefore, reloaded.dequantizedWeight(DOWN).orElseThrow());
      assertArrayEquals(before, warmLogits(reloaded));
      reloaded.savePretrained(again);
    }
    assertArrayEquals(
        Files.readAllBytes(out.resolve("model.safetensors")),
        Files.readAllBytes(again.resolve("model.safetensors")));
    assertArrayEquals(
        Files.readAllBytes(out.resolve("quanto_qmap.json")),
        Files.readAllBytes(again.resolve("quanto_qmap.json")));
  }

  /**
   * The golden quanto module tensors plus random-1layer-bf16's other tensors form a quanto folder;
   * it loads and computes exactly what quantizing random-1layer-bf16 while loading computes.
   */
  @ParameterizedTest
  @CsvSource({
    "qint8, quanto-int8, none",
    "qint4, quanto-int4, none",
    "qint2, quanto-int2, none",
    "qfloat8, quanto-fp8, none",
    "qint8, quanto-int8-a8, qint8",
    "qint8, quanto-int8-afp8, qfloat8_e4m3fn"
  })
  void goldenQuantoFolderLoads(String golden, String preset, String activations, @TempDir Path tmp)
      throws IOException {
    Path src = TestFiles.requireShared("golden/official/random-1layer-bf16");
    Path modules = TestFiles.testdata("golden/quanto-" + golden);
    Path folder = tmp.resolve("quanto");
    Files.createDirectories(folder);
    List<TensorData> tensors = new ArrayList<>();
    try (Checkpoint base = Checkpoint.open(src);
        Checkpoint q = Checkpoint.open(modules)) {
      for (String n : base.tensorNames()) {
        boolean quantized =
            q.tensorNames().stream()
                .anyMatch(
                    m ->
                        m.startsWith(n.substring(0, n.length() - ".weight".length()) + ".weight."));
        if (!quantized) {
          tensors.add(TensorData.of(base.tensor(n)));
        }
      }
      for (String n : q.tensorNames()) {
        tensors.add(TensorData.of(q.tensor(n)));
      }
      tensors.sort(java.util.Comparator.comparing(TensorData::name));
      SafetensorsWriter.write(folder.resolve("model.safetensors"), Map.of("format", "pt"), tensors);
    }
    Files.copy(src.resolve("config.json"), folder.resolve("config.json"));
    // The golden modules' scales are quanto's uncalibrated 1.0: with activations named in the
    // map, they load as quantizing while loading with the same activations does.
    Files.writeString(
        folder.resolve("quanto_qmap.json"),
        Files.readString(modules.resolve("quanto_qmap.json"))
            .replace("\"activations\": \"none\"", "\"activations\": \"" + activations + "\""));

    float[] expected;
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    try (CausalLm lm =
        CausalLm.fromPretrained(src, LoadOptions.builder().quantization(config).build())) {
      expected = smallLogits(lm);
    }
    try (CausalLm lm = CausalLm.fromPretrained(folder)) {
      assertTrue(lm.loadReport().preQuantized());
      assertEquals(7, lm.loadReport().quantizedCount());
      assertArrayEquals(expected, smallLogits(lm));
    }
  }

  /**
   * The output hook reaches the model: with an output_scale of 16384 every o_proj and down_proj
   * output rounds to 0, so the layer adds nothing to the residual stream, exactly as if those two
   * weights were zero; the other linears stay float.
   */
  @Test
  void outputQuantizationIsAppliedToEachLayerOutput(@TempDir Path tmp) throws IOException {
    Path src = TestFiles.requireShared("golden/official/random-1layer-bf16");
    Path modules = TestFiles.testdata("golden/quanto-qint8");
    List<String> silenced =
        List.of("model.layers.0.self_attn.o_proj", "model.layers.0.mlp.down_proj");
    Path quanto = tmp.resolve("quanto");
    Path zeroed = tmp.resolve("zeroed");
    Files.createDirectories(quanto);
    Files.createDirectories(zeroed);
    byte[] bigScale = {(byte) 0x80, 0x46}; // bf16 16384
    List<TensorData> q = new ArrayList<>();
    List<TensorData> z = new ArrayList<>();
    try (Checkpoint base = Checkpoint.open(src);
        Checkpoint golden = Checkpoint.open(modules)) {
      for (String n : base.tensorNames()) {
        TensorData t = TensorData.of(base.tensor(n));
        if (silenced.stream().anyMatch(m -> n.equals(m + ".weight"))) {
          z.add(TensorData.of(n, t.dtype(), t.shape(), new byte[(int) t.data().byteSize()]));
        } else {
          q.add(t);
          z.add(t);
        }
      }
      for (String m : silenced) {
        for (String n : golden.tensorNames()) {
          if (n.startsWith(m + ".weight.")) {
            q.add(TensorData.of(golden.tensor(n)));
          }
        }
        q.add(
            TensorData.of(
                m + ".input_scale", DType.BF16, Shape.of(new long[0]), new byte[] {-128, 0x3f}));
        q.add(TensorData.of(m + ".output_scale", DType.BF16, Shape.of(new long[0]), bigScale));
      }
      q.sort(java.util.Comparator.comparing(TensorData::name));
      z.sort(java.util.Comparator.comparing(TensorData::name));
      SafetensorsWriter.write(quanto.resolve("model.safetensors"), Map.of("format", "pt"), q);
      SafetensorsWriter.write(zeroed.resolve("model.safetensors"), Map.of("format", "pt"), z);
    }
    Files.copy(src.resolve("config.json"), quanto.resolve("config.json"));
    Files.copy(src.resolve("config.json"), zeroed.resolve("config.json"));
    StringBuilder qmap = new StringBuilder("{");
    for (String m : silenced) {
      qmap.append(qmap.length() > 1 ? ", " : "")
          .append('"')
          .append(m)
          .append("\": {\"weights\": \"qint8\", \"activations\": \"qint8\"}");
    }
    Files.writeString(quanto.resolve("quanto_qmap.json"), qmap.append('}').toString());

    float[] expected;
    try (CausalLm lm = CausalLm.fromPretrained(zeroed)) {
      expected = smallLogits(lm);
    }
    try (CausalLm lm = CausalLm.fromPretrained(quanto)) {
      assertEquals(2, lm.loadReport().quantizedCount());
      assertArrayEquals(expected, smallLogits(lm));
    }
  }

  /**
   * Logits once the kernels are compiled: the Panama kernels' first, interpreted calls can differ
   * from their compiled form in the last bits (float lane reductions), so a cold and a warm forward
   * pass of the same model are not always bit-identical.
   */
  private static float[] warmLogits(CausalLm lm) {
    float[] out = SaveReloadTest.logits(lm);
    for (int i = 0; i < 12; i++) {
      out = SaveReloadTest.logits(lm);
    }
    return out;
  }

  private static float[] smallLogits(CausalLm lm) {
    int[] prompt = {1, 15, 200, 7, 255, 99};
    float[] out = new float[prompt.length * lm.model().vocabSize()];
    for (int i = 0; i < 8; i++) { // warm, as in warmLogits
      lm.model()
          .newSession(prompt.length)
          .forward(prompt, 0, prompt.length, out, dev.quant4j.arch.InferenceSession.LogitsMode.ALL);
    }
    return out;
  }
}
