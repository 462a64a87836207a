package dev.quant4j.quantizers.quanto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quantizing random-1layer-bf16 gives exactly the tensors of testdata/golden/quanto-*: files made
 * by make_quanto_golden.py.txt, which re-does optimum-quanto's CPU ops with torch's bf16 arithmetic
 * (optimum-quanto itself cannot be installed here), so this pins quant4j to torch's rounding of
 * quanto's formulas, and reading then writing the files gives them back byte for byte.
 */
class QuantoGoldenTest {
  static final List<String> LINEARS =
      List.of(
          "model.layers.0.self_attn.q_proj",
          "model.layers.0.self_attn.k_proj",
          "model.layers.0.self_attn.v_proj",
          "model.layers.0.self_attn.o_proj",
          "model.layers.0.mlp.gate_proj",
          "model.layers.0.mlp.up_proj",
          "model.layers.0.mlp.down_proj");

  @ParameterizedTest
  @CsvSource({"int8, qint8", "int4, qint4", "int2, qint2", "float8, qfloat8"})
  void quantizingGivesTheGoldenTensors(String weights, String folder) {
    Path src = TestFiles.requireShared("golden/official/random-1layer-bf16");
    QuantoQuantizer quantizer = new QuantoQuantizer(QuantoConfig.weights(weights));
    try (Checkpoint in = Checkpoint.open(src);
        Checkpoint golden = Checkpoint.open(TestFiles.testdata("golden/quanto-" + folder))) {
      for (String m : LINEARS) {
        QuantizedWeight q = quantizer.quantize(in.tensor(m + ".weight"));
        assertSameTensors(golden, m, q);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"qint8", "qint4", "qint2", "qfloat8"})
  void goldenModulesReadAndWriteBackUnchanged(String folder) {
    Path dir = TestFiles.testdata("golden/quanto-" + folder);
    var qmap = QuantoQmap.read(dir.resolve(QuantoQmap.FILE_NAME));
    try (Checkpoint golden = Checkpoint.open(dir)) {
      MapLookup lookup = MapLookup.of(golden);
      for (String m : LINEARS) {
        QuantoQtype qtype = QuantoQtype.fromQmapName(qmap.get(m).weights()).orElseThrow();
        QuantoLinear w = QuantoFormat.read(m, qtype, lookup);
        assertSameTensors(golden, m, w);
      }
    }
  }

  private static void assertSameTensors(Checkpoint golden, String module, QuantizedWeight q) {
    Map<String, StoredTensor> ours = new TreeMap<>();
    for (StoredTensor t : q.checkpointTensors()) {
      ours.put(module + "." + t.suffix(), t);
    }
    assertEquals(
        new TreeMap<>(Map.copyOf(namesOf(golden, module))).keySet(), ours.keySet(), module);
    for (var e : ours.entrySet()) {
      TensorView g = golden.tensor(e.getKey());
      StoredTensor t = e.getValue();
      assertEquals(g.dtype(), t.dtype(), e.getKey());
      assertEquals(g.shape(), t.shape(), e.getKey());
      assertArrayEquals(
          g.data().toArray(ValueLayout.JAVA_BYTE),
          t.data().toArray(ValueLayout.JAVA_BYTE),
          e.getKey());
    }
  }

  private static Map<String, Boolean> namesOf(Checkpoint c, String module) {
    Map<String, Boolean> out = new TreeMap<>();
    for (String n : c.tensorNames()) {
      if (n.startsWith(module + ".")) {
        out.put(n, true);
      }
    }
    return out;
  }
}
