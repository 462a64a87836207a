package dev.quant4j.quantizers.bitnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Against testdata/golden/bitnet, made by transformers' own {@code pack_weights}, {@code
 * WeightQuant}, {@code ActQuant} and {@code AutoBitLinear} (make_bitnet_golden.py beside it).
 */
class BitNetGoldenTest {
  private static final Map<String, Integer> IN =
      Map.of("q_proj", 128, "k_proj", 128, "down_proj", 256);

  static Checkpoint golden() {
    return Checkpoint.open(TestFiles.testdata("golden/bitnet/bitnet-tensors.safetensors"));
  }

  static BitNetQuantizer quantizer(String linearClass, String mode) {
    return new BitNetQuantizer(new BitNetConfig(null, linearClass, mode, false, 1e-6, Map.of()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"q_proj", "k_proj", "down_proj"})
  void offlineQuantizationPacksTheBytesTransformersPacks(String layer) {
    try (Checkpoint g = golden()) {
      TensorView w = g.tensor(layer + ".w");
      float s = g.tensor(layer + ".s").getFloat(0);
      QuantizedWeight q = quantizer("bitlinear", "offline").quantize(w);
      List<StoredTensor> stored = q.checkpointTensors();
      assertEquals("weight", stored.get(0).suffix());
      assertEquals(DType.U8, stored.get(0).dtype());
      byte[] expected = g.tensor(layer + ".packed").data().toArray(ValueLayout.JAVA_BYTE);
      assertArrayEquals(expected, stored.get(0).data().toArray(ValueLayout.JAVA_BYTE));
      assertEquals("weight_scale", stored.get(1).suffix());
      assertEquals(DType.BF16, stored.get(1).dtype());
      short bits = stored.get(1).data().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
      assertEquals(FloatConversions.floatToBf16(s), bits, "weight_scale = bf16(s)");
      // autobitlinear stores the inverse
      QuantizedWeight auto = quantizer("autobitlinear", "offline").quantize(w);
      short inv = auto.checkpointTensors().get(1).data().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
      assertEquals(FloatConversions.floatToBf16(1f / s), inv);
      assertArrayEquals(
          expected, auto.checkpointTensors().get(0).data().toArray(ValueLayout.JAVA_BYTE));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"q_proj", "k_proj", "down_proj"})
  void onlineWeightsAreExactlyWeightQuant(String layer) {
    try (Checkpoint g = golden()) {
      TensorView w = g.tensor(layer + ".w");
      float s = g.tensor(layer + ".s").getFloat(0);
      // torch's float32 pairwise sum of |W| vs our exact one: within 2 ulps (down_proj: 1 ulp)
      float ours = AbsmeanTernarizer.multiplier(w.toFloatArray(), (int) w.numel());
      assertEquals(s, ours, 2 * Math.ulp(s), "multiplier");
      QuantizedWeight q = quantizer("autobitlinear", "online").quantize(w);
      float[] fake = g.tensor(layer + ".fake").toFloatArray();
      float[] d = q.dequantize();
      for (int i = 0; i < fake.length; i++) {
        // bit-exact but for the sign of zero (torch keeps -0.0 for small negative weights)
        assertTrue(fake[i] == d[i], "fake-quantized weight " + i + ": " + fake[i] + " vs " + d[i]);
      }
      // online keeps the float weight to save it back as transformers would
      StoredTensor saved = q.checkpointTensors().getFirst();
      assertEquals(DType.BF16, saved.dtype());
      assertEquals(-1, saved.data().mismatch(w.data()));
    }
  }

  @Test
  void activationsAreExactlyActQuant() {
    try (Checkpoint g = golden()) {
      float[] x = g.tensor("acts.x").toFloatArray();
      float[] out = new float[x.length];
      BitNetActivations.PLAIN.apply(x, 0, 5, 128, out);
      assertArrayEquals(g.tensor("acts.q").toFloatArray(), out);
    }
  }

  /**
   * The kernels on the repacked layout give AutoBitLinear's float32 output up to summation order.
   */
  @ParameterizedTest
  @ValueSource(strings = {"q_proj", "k_proj", "down_proj"})
  void layerOutputMatchesAutoBitLinear(String layer) {
    try (Checkpoint g = golden()) {
      QuantizedWeight q = quantizer("autobitlinear", "online").quantize(g.tensor(layer + ".w"));
      int in = IN.get(layer);
      float[] x = g.tensor(layer.equals("down_proj") ? "acts.x2" : "acts.x").toFloatArray();
      float[] expected = g.tensor(layer + ".y").toFloatArray();
      int rows = q.matrix().rows();
      float[] y = new float[5 * rows];
      Kernels.backend().matmul(q.matrix(), x, 0, 5, y, 0);
      for (int i = 0; i < y.length; i++) {
        // sums of `in` products of magnitude <= max|x| * scale: a few ulps of that per term
        float tol = 1e-5f * in * Math.max(1f, Math.abs(expected[i]));
        assertEquals(expected[i], y[i], tol, "y[" + i + "] of " + layer);
      }
    }
  }

  @Test
  void loadsTheBitlinearCheckpointAsTransformersDefinesIt() {
    try (Checkpoint g = golden();
        Checkpoint c =
            Checkpoint.open(TestFiles.testdata("golden/bitnet/random-1layer-bitlinear"))) {
      BitNetQuantizer quantizer = quantizer("bitlinear", "offline");
      for (String layer : List.of("q_proj", "k_proj", "down_proj")) {
        String module =
            layer.equals("down_proj") ? "model.layers.0.mlp." : "model.layers.0.self_attn.";
        QuantizedWeight q = quantizer.loadPrequantized(module + layer + ".weight", MapLookup.of(c));
        float ws = c.tensor(module + layer + ".weight_scale").getFloat(0);
        byte[] t = g.tensor(layer + ".ternary").data().toArray(ValueLayout.JAVA_BYTE);
        float[] d = q.dequantize();
        for (int i = 0; i < t.length; i++) {
          assertEquals(t[i] * (1f / ws), d[i], "W = t / weight_scale at " + i);
        }
        // saving writes back the bytes read
        assertEquals(
            -1,
            q.checkpointTensors()
                .get(0)
                .data()
                .mismatch(c.tensor(module + layer + ".weight").data()));
        assertTrue(q.matrix().activations() instanceof BitNetActivations);
      }
    }
  }
}
