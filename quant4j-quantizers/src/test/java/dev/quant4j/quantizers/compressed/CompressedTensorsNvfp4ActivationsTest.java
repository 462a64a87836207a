package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NVFP4 W4A4: input activations fake-quantized per group of 16 with the checkpoint's static {@code
 * input_global_scale}, against testdata/golden/ct-nvfp4a16/activations.safetensors (a torch
 * restatement of compressed-tensors' forward_quantize in a float32 model,
 * make_ct_fp4_golden.py.txt).
 */
class CompressedTensorsNvfp4ActivationsTest {
  static final String W4A4 =
      """
      {"quant_method": "compressed-tensors", "format": "nvfp4-pack-quantized", "quantization_status": "compressed",
       "config_groups": {"group_0": {"targets": ["Linear"],
         "weights": {"num_bits": 4, "type": "float", "strategy": "tensor_group", "group_size": 16,
                     "scale_dtype": "torch.float8_e4m3fn"},
         "input_activations": {"num_bits": 4, "type": "float", "strategy": "tensor_group", "group_size": 16,
                               "dynamic": "local", "observer": "static_minmax", "scale_dtype": "torch.float8_e4m3fn"}}}}""";

  private static SafetensorsFile golden(String file) {
    return SafetensorsFile.open(TestFiles.testdata("golden/ct-nvfp4a16/" + file));
  }

  @Test
  void activationsFakeQuantizeAsTheReferenceBitForBit() {
    try (SafetensorsFile g = golden("activations.safetensors")) {
      float[] x = g.tensor("x").toFloatArray();
      float[] expected = g.tensor("fake_quantized").toFloatArray();
      float global = g.tensor("input_global_scale").toFloatArray()[0];
      float[] ours = new float[x.length];
      new Nvfp4Activations(global).apply(x, 0, 4, 64, ours);
      for (int i = 0; i < x.length; i++) {
        assertEquals(
            Float.floatToRawIntBits(expected[i]),
            Float.floatToRawIntBits(ours[i]),
            "element " + i + ": expected " + expected[i] + ", got " + ours[i]);
      }
    }
  }

  private static MapLookup w4a4Module(SafetensorsFile weights, SafetensorsFile acts) {
    MapLookup t = new MapLookup(Map.of(), MapLookup.MEMORY);
    for (var info : weights.tensors()) {
      if (info.name().startsWith("small.")) {
        t.put(info.name(), weights.tensor(info.name()));
      }
    }
    TensorView g = acts.tensor("input_global_scale");
    t.put(
        "small.input_global_scale",
        new StoredTensor("input_global_scale", g.dtype(), g.shape(), g.data()));
    return t;
  }

  @Test
  void aW4a4CheckpointLoadsRunsItsActivationsAndSavesBack() throws IOException {
    CompressedTensorsQuantizer q =
        new CompressedTensorsQuantizer(CompressedTensorsConfigTest.parse(W4A4));
    try (SafetensorsFile weights = golden("model.safetensors");
        SafetensorsFile acts = golden("activations.safetensors")) {
      MapLookup t = w4a4Module(weights, acts);
      QuantizedWeight w = q.loadPrequantized("small.weight", t);
      Packed4BitMatrix m = assertInstanceOf(Packed4BitMatrix.class, w.matrix());
      ActivationQuantizer a = assertInstanceOf(Nvfp4Activations.class, m.activations());
      assertEquals(
          acts.tensor("input_global_scale").toFloatArray()[0],
          ((Nvfp4Activations) a).globalScale());
      assertEquals(4, w.checkpointTensors().size());
      for (StoredTensor s : w.checkpointTensors()) {
        TensorView original = t.require("small." + s.suffix());
        assertTrue(original.data().mismatch(s.data()) < 0, s.suffix());
      }
      // the kernels fake-quantize the input first: the product is with the quantized activations
      float[] x = new float[m.cols()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) Math.cos(i * 0.21) * 2f;
      }
      float[] xq = new float[x.length];
      a.apply(x, 0, 1, x.length, xq);
      float[] y = new float[m.rows()];
      Kernels.backend().matmul(m, x, 0, 1, y, 0);
      int differsFromRaw = 0;
      for (int r = 0; r < m.rows(); r++) {
        double want = 0;
        double raw = 0;
        double mag = 0;
        for (int c = 0; c < m.cols(); c++) {
          want += (double) m.get(r, c) * xq[c];
          raw += (double) m.get(r, c) * x[c];
          mag += Math.abs((double) m.get(r, c) * xq[c]);
        }
        assertEquals(want, y[r], 1e-5 * mag + 1e-30, "row " + r);
        if (Math.abs(raw - want) > 1e-4 * mag) {
          differsFromRaw++;
        }
      }
      assertTrue(differsFromRaw > m.rows() / 2, "the activations were quantized");

      t.remove("small.input_global_scale");
      assertTrue(
          assertThrows(FormatException.class, () -> q.loadPrequantized("small.weight", t))
              .getMessage()
              .contains("small.input_global_scale"));
    }
  }

  @Test
  void quantizingW4a4WhileLoadingNeedsCalibrationAndIsRefused() throws IOException {
    CompressedTensorsQuantizer q =
        new CompressedTensorsQuantizer(CompressedTensorsConfigTest.parse(W4A4));
    try (SafetensorsFile in =
        SafetensorsFile.open(TestFiles.testdata("golden/ct-small-input.safetensors"))) {
      NotSupportedException e =
          assertThrows(NotSupportedException.class, () -> q.quantize(in.tensor("small.weight")));
      assertTrue(e.getMessage().contains("input_global_scale needs calibration"), e.getMessage());
    }
  }
}
