package dev.quant4j.quantizers.torchao;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against testdata/golden/torchao (make_torchao_golden.py beside it: the reference code paths in
 * eager torch; torchao itself is not in the local mirror).
 */
class TorchAoGoldenTest {
  static Checkpoint golden() {
    return Checkpoint.open(TestFiles.testdata("golden/torchao/torchao-tensors.safetensors"));
  }

  static TorchAoQuantizer named(String name, Integer groupSize) {
    ObjectNode kwargs = JsonNodeFactory.instance.objectNode();
    if (groupSize != null) {
      kwargs.put("group_size", groupSize);
    }
    return new TorchAoQuantizer(TorchAoConfig.of(new TorchAoQuantType.Named(name, kwargs)));
  }

  static void assertSameBytes(TensorView expected, StoredTensor actual) {
    assertEquals(expected.dtype(), actual.dtype(), actual.suffix());
    assertEquals(expected.shape(), actual.shape(), actual.suffix());
    assertArrayEquals(
        expected.data().toArray(ValueLayout.JAVA_BYTE),
        actual.data().toArray(ValueLayout.JAVA_BYTE),
        actual.suffix());
  }

  @ParameterizedTest
  @CsvSource({"q_proj,32", "q_proj,128", "down_proj,32", "down_proj,128"})
  void int4QuantizesToFbgemmsBytes(String layer, int g) {
    try (Checkpoint c = golden()) {
      QuantizedWeight q = named("int4_weight_only", g).quantize(c.tensor(layer + ".w"));
      List<StoredTensor> stored = q.checkpointTensors();
      String p = layer + ".int4_g" + g + ".";
      assertEquals("_weight_qdata", stored.get(0).suffix());
      assertSameBytes(c.tensor(p + "qdata"), stored.get(0));
      assertSameBytes(c.tensor(p + "scale"), stored.get(1));
      assertSameBytes(c.tensor(p + "zero_point"), stored.get(2));
      float[] reference = c.tensor(p + "dequant").toFloatArray();
      assertArrayEquals(reference, q.dequantize());
      // the kernels' layout re-expresses the float zero point: a few ulps of the group's range
      GroupedIntMatrix m = (GroupedIntMatrix) q.matrix();
      int cols = m.cols();
      for (int i = 0; i < reference.length; i++) {
        int r = i / cols;
        float s = m.scale(r, (i % cols) / g);
        float bound = 4 * Math.ulp(Math.max(Math.abs(reference[i]), 16 * s));
        assertEquals(reference[i], m.get(r, i % cols), bound, "element " + i);
      }
      assertTrue(q.checkpointMetadata().orElseThrow().contains("\"block_size\": [1, " + g + "]"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"q_proj", "down_proj"})
  void int8QuantizesAsChooseQparamsAffine(String layer) {
    try (Checkpoint c = golden()) {
      TensorView w = c.tensor(layer + ".w");
      QuantizedWeight row = named("int8_weight_only", null).quantize(w);
      assertSameBytes(c.tensor(layer + ".int8.qdata"), row.checkpointTensors().get(0));
      assertSameBytes(c.tensor(layer + ".int8.scale"), row.checkpointTensors().get(1));
      ObjectNode perTensor = JsonNodeFactory.instance.objectNode();
      perTensor.putObject("granularity").put("_type", "PerTensor").putObject("_data");
      QuantizedWeight tensor =
          new TorchAoQuantizer(
                  TorchAoConfig.of(
                      new TorchAoQuantType.AoConfig("Int8WeightOnlyConfig", 2, perTensor)))
              .quantize(w);
      assertSameBytes(c.tensor(layer + ".int8_tensor.qdata"), tensor.checkpointTensors().get(0));
      assertSameBytes(c.tensor(layer + ".int8_tensor.scale"), tensor.checkpointTensors().get(1));
      // int8 codes and one scale per row: the kernels' layout is exact
      float[] d = row.dequantize();
      GroupedIntMatrix m = (GroupedIntMatrix) row.matrix();
      for (int i = 0; i < d.length; i++) {
        assertEquals(d[i], m.get(i / m.cols(), i % m.cols()));
      }
    }
  }

  @Test
  void dynamicActivationsAreTorchaosPerTokenRule() {
    try (Checkpoint c = golden()) {
      float[] x = c.tensor("acts.x").toFloatArray();
      float[] out = new float[x.length];
      Int8Activations.INSTANCE.apply(x, 0, 4, 128, out);
      assertArrayEquals(c.tensor("acts.q").toFloatArray(), out);
      QuantizedWeight q =
          named("int8_dynamic_activation_int8_weight", null).quantize(c.tensor("q_proj.w"));
      assertEquals(Int8Activations.INSTANCE, q.matrix().activations());
      assertTrue(q.checkpointMetadata().orElseThrow().contains("QuantizeTensorToInt8Kwargs"));
    }
  }

  @Test
  void loadsTheFlattenedInt4CheckpointAndWritesItBack() {
    try (Checkpoint g = golden();
        Checkpoint c =
            Checkpoint.open(TestFiles.testdata("golden/torchao/random-1layer-int4-g64"))) {
      TorchAoQuantizer quantizer = named("int4_weight_only", 64);
      String weight = "model.layers.0.self_attn.q_proj.weight";
      QuantizedWeight loaded = quantizer.loadPrequantized(weight, MapLookup.of(c));
      QuantizedWeight fresh = quantizer.quantize(g.tensor("q_proj.w"));
      assertArrayEquals(fresh.dequantize(), loaded.dequantize());
      String base = "model.layers.0.self_attn.q_proj.";
      List<StoredTensor> stored = loaded.checkpointTensors();
      assertSameBytes(c.tensor(base + "_weight_qdata"), stored.get(0));
      assertSameBytes(c.tensor(base + "_weight_scale"), stored.get(1));
      assertSameBytes(c.tensor(base + "_weight_zero_point"), stored.get(2));
      assertEquals(
          "{\"_type\": \"Int4Tensor\", \"_data\": {\"block_size\": [1, 64], \"shape\": [128, 128]},"
              + " \"_tensor_data_names\": [\"qdata\", \"scale\", \"zero_point\"]}",
          loaded.checkpointMetadata().orElseThrow());
    }
  }
}
