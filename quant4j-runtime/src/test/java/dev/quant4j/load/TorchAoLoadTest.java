package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TorchAO through the whole pipeline: its flattened checkpoint, quantize, save, reload. */
class TorchAoLoadTest {
  @ParameterizedTest
  @ValueSource(strings = {"torchao-int4", "torchao-int8", "torchao-int8-dyn"})
  void quantizeSaveReloadIsBitExact(String preset, @TempDir Path tmp) throws IOException {
    QuantizationConfig config = QuantizationSpecs.load().resolve(preset);
    Path out = tmp.resolve("torchao");
    float[] before;
    float[] weight;
    try (CausalLm lm =
        CausalLm.fromPretrained(
            TestFiles.tinyLlama(), LoadOptions.builder().quantization(config).build())) {
      assertEquals(42, lm.loadReport().quantizedCount());
      before = SaveReloadTest.logits(lm);
      weight = lm.dequantizedWeight("model.layers.3.self_attn.o_proj.weight").orElseThrow();
      lm.savePretrained(out);
    }
    JsonNode meta = metadata(out.resolve("model.safetensors"));
    String q = "model.layers.0.self_attn.q_proj.weight";
    assertTrue(meta.get("tensor_names").asText().contains("\"" + q + "\""), "tensor_names");
    assertTrue(meta.get(q).asText().contains("Int"), "subclass of " + q);
    assertEquals("{\"_type\": \"Tensor\"}", meta.get("lm_head.weight").asText());
    try (CausalLm reloaded = CausalLm.fromPretrained(out)) {
      assertTrue(reloaded.loadReport().preQuantized());
      assertEquals(config.toDict(), reloaded.quantization().orElseThrow().toDict());
      assertArrayEquals(
          weight,
          reloaded.dequantizedWeight("model.layers.3.self_attn.o_proj.weight").orElseThrow());
      // same weights and kernels; see BitNetLoadTest for why the logits get an ulp-level margin
      float[] after = SaveReloadTest.logits(reloaded);
      for (int i = 0; i < after.length; i++) {
        assertEquals(before[i], after[i], 1e-5f * Math.max(1f, Math.abs(before[i])), "logit " + i);
      }
    }
  }

  @Test
  void loadsTheFlattenedInt4CheckpointAndSavesItByteForByte(@TempDir Path tmp) {
    Path golden = TestFiles.testdata("golden/torchao/random-1layer-int4-g64");
    Path out = tmp.resolve("again");
    try (CausalLm lm = CausalLm.fromPretrained(golden)) {
      assertTrue(lm.loadReport().preQuantized());
      assertEquals(7, lm.loadReport().quantizedCount());
      lm.savePretrained(out);
    }
    try (Checkpoint a = Checkpoint.open(golden);
        Checkpoint b = Checkpoint.open(out)) {
      assertEquals(a.tensorNames(), b.tensorNames());
      for (String name : a.tensorNames()) {
        assertEquals(-1, a.tensor(name).data().mismatch(b.tensor(name).data()), name);
      }
    }
  }

  private static JsonNode metadata(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      java.nio.ByteBuffer len = java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate((int) len.getLong(0));
      ch.read(header, 8);
      return new BoundedJson(1 << 24).parse(file, header.array()).get("__metadata__");
    }
  }
}
