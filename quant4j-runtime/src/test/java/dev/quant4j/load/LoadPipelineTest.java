package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.error.ResourceLimitException;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.SafetensorsFile;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fromPretrained refuses what transformers would load wrongly, naming the file and tensor. */
class LoadPipelineTest {
  @TempDir Path tmp;

  @Test
  void missingTensorIsAnError() throws IOException {
    Path dir =
        copyWithTensors(
            tensors -> {
              tensors.removeIf(t -> t.name().equals("model.layers.3.mlp.up_proj.weight"));
              return tensors;
            });
    var e = assertThrows(FormatException.class, () -> CausalLm.fromPretrained(dir).close());
    assertTrue(e.getMessage().contains("model.layers.3.mlp.up_proj.weight"), e.getMessage());
  }

  @Test
  void unexpectedTensorIsAnError() throws IOException {
    Path dir =
        copyWithTensors(
            tensors -> {
              tensors.add(
                  TensorData.of(
                      "model.layers.0.mlp.extra.weight", DType.F32, Shape.of(2), new byte[8]));
              return tensors;
            });
    var e = assertThrows(FormatException.class, () -> CausalLm.fromPretrained(dir).close());
    assertTrue(e.getMessage().contains("model.layers.0.mlp.extra.weight"), e.getMessage());
  }

  @Test
  void misShapedTensorIsAnError() throws IOException {
    Path dir =
        copyWithTensors(
            tensors -> {
              tensors.replaceAll(
                  t ->
                      t.name().equals("model.norm.weight")
                          ? TensorData.of(t.name(), DType.F32, Shape.of(3), new byte[12])
                          : t);
              return tensors;
            });
    var e = assertThrows(FormatException.class, () -> CausalLm.fromPretrained(dir).close());
    assertTrue(
        e.getMessage().contains("model.norm.weight") && e.getMessage().contains("[256]"),
        e.getMessage());
  }

  @Test
  void methodsNotImplementedYetSayNotSupported() {
    var aqlm = QuantizationSpecs.load().resolve("aqlm-2bit");
    var e =
        assertThrows(
            NotSupportedException.class,
            () ->
                CausalLm.fromPretrained(
                        TestFiles.tinyLlama(), LoadOptions.builder().quantization(aqlm).build())
                    .close());
    assertTrue(
        e.getMessage().contains("aqlm") && e.getMessage().contains("not supported yet"),
        e.getMessage());
  }

  @Test
  void memoryBudgetRefusesWithTheNumbers() {
    var options = LoadOptions.builder().deviceMap("auto").maxMemory(1_000_000).build();
    var e =
        assertThrows(
            ResourceLimitException.class,
            () -> CausalLm.fromPretrained(TestFiles.tinyLlama(), options).close());
    assertTrue(
        e.getMessage().contains("1000000") || e.getMessage().contains("900000"), e.getMessage());
    // NF4 fits where bf16 does not: the budget is checked against the quantized size.
    var nf4 =
        LoadOptions.builder()
            .quantization(QuantizationSpecs.load().resolve("bnb-nf4"))
            .maxMemory(10_000_000)
            .build();
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama(), nf4)) {
      assertTrue(lm.loadReport().totalBytes() < 9_000_000);
    }
    assertThrows(
        ResourceLimitException.class,
        () ->
            CausalLm.fromPretrained(
                    TestFiles.tinyLlama(), LoadOptions.builder().maxMemory(10_000_000).build())
                .close());
  }

  @Test
  void unknownDeviceMapIsAConfigError() {
    var e =
        assertThrows(
            ConfigException.class, () -> LoadOptions.builder().deviceMap("cuda:0").build());
    assertEquals("device_map", e.key());
  }

  @Test
  void unknownArchitectureIsRefused() throws IOException {
    Path dir = copyWithTensors(UnaryOperator.identity());
    String config =
        Files.readString(dir.resolve("config.json"))
            .replace("LlamaForCausalLM", "GPTNeoXForCausalLM");
    Files.writeString(dir.resolve("config.json"), config);
    assertThrows(NotSupportedException.class, () -> CausalLm.fromPretrained(dir).close());
  }

  @Test
  void loadReportCountsEveryParameter() {
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama())) {
      LoadReport r = lm.loadReport();
      assertEquals(57, r.weights().size());
      assertEquals(0, r.quantizedCount());
      assertTrue(r.quantMethod().isEmpty());
    }
  }

  private Path copyWithTensors(UnaryOperator<List<TensorData>> edit) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "model");
    for (String f :
        List.of(
            "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
      Files.copy(TestFiles.tinyLlama().resolve(f), dir.resolve(f));
    }
    try (SafetensorsFile src =
        SafetensorsFile.open(TestFiles.tinyLlama().resolve("model.safetensors"))) {
      List<TensorData> tensors = new ArrayList<>();
      src.tensors().forEach(t -> tensors.add(TensorData.of(src.tensor(t.name()))));
      SafetensorsWriter.write(
          dir.resolve("model.safetensors"), Map.of("format", "pt"), edit.apply(tensors));
    }
    return dir;
  }
}
