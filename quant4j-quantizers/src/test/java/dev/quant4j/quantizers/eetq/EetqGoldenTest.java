package dev.quant4j.quantizers.eetq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The EETQ checkpoint transformers 5.17 saved from random-1layer-bf16 loaded in float16, with the
 * CUDA kernel's {@code quant_weights} replaced by a step-by-step transcription of EETQ's C++
 * (testdata/golden/fp8-eetq/make_fp8_golden.py.txt): the same bytes from quantizing, and back
 * unchanged from reading.
 */
class EetqGoldenTest {
  static final List<String> LINEARS =
      List.of(
          "model.layers.0.self_attn.q_proj",
          "model.layers.0.self_attn.k_proj",
          "model.layers.0.self_attn.v_proj",
          "model.layers.0.self_attn.o_proj",
          "model.layers.0.mlp.gate_proj",
          "model.layers.0.mlp.up_proj",
          "model.layers.0.mlp.down_proj");

  static final Path DIR = TestFiles.testdata("golden/fp8-eetq/eetq");

  static Quantizer quantizer() {
    return new EetqMethod().newQuantizer(EetqConfig.DEFAULTS);
  }

  static void assertSameBytes(TensorView expected, StoredTensor actual) {
    assertEquals(expected.dtype(), actual.dtype(), expected.name());
    assertEquals(expected.shape(), actual.shape(), expected.name());
    assertEquals(-1, expected.data().mismatch(actual.data()), expected.name() + " bytes");
  }

  @Test
  void quantizingGivesTheReferenceBytes() {
    Quantizer q = quantizer();
    try (Checkpoint src =
            Checkpoint.open(TestFiles.requireShared("golden/official/random-1layer-bf16"));
        Checkpoint ref = Checkpoint.open(DIR)) {
      for (String p : LINEARS) {
        List<StoredTensor> stored = q.quantize(src.tensor(p + ".weight")).checkpointTensors();
        assertEquals(2, stored.size());
        assertSameBytes(ref.tensor(p + ".weight"), stored.get(0));
        assertSameBytes(ref.tensor(p + ".weight_scales"), stored.get(1));
      }
    }
  }

  @Test
  void readingThenWritingGivesTheFileBackAndTheValuesStayWithinHalfAStep() {
    Quantizer q = quantizer();
    try (Checkpoint src =
            Checkpoint.open(TestFiles.requireShared("golden/official/random-1layer-bf16"));
        Checkpoint ref = Checkpoint.open(DIR)) {
      MapLookup lookup = MapLookup.of(ref);
      for (String p : LINEARS) {
        QuantizedWeight w = q.loadPrequantized(p + ".weight", lookup);
        for (StoredTensor t : w.checkpointTensors()) {
          assertSameBytes(ref.tensor(p + "." + t.suffix()), t);
        }
        assertEquals(DType.F16, ref.tensor(p + ".weight_scales").dtype());
        float[] original = src.tensor(p + ".weight").toFloatArray();
        float[] deq = w.dequantize();
        int cols = w.matrix().cols();
        TensorView scales = ref.tensor(p + ".weight_scales");
        for (int i = 0; i < deq.length; i++) {
          float h = Float.float16ToFloat(Float.floatToFloat16(original[i]));
          float s = scales.getFloat(i / cols);
          // Half a step, one step for the channel maximum (128 * s clips to 127), plus the scale's
          // float16 rounding (at most 2^-11 relative) times the code.
          float bound = s * (1f + 128f / 2048f) + 1e-7f;
          assertTrue(Math.abs(h - deq[i]) <= bound, p + " element " + i);
        }
      }
    }
  }
}
