package dev.quant4j.quantizers.compressed;

import static dev.quant4j.quantizers.compressed.CompressedTensorsGoldenTest.assertSameBytes;
import static dev.quant4j.quantizers.compressed.CompressedTensorsGoldenTest.bySuffix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * testdata/golden/ct-nvfp4a16 and ct-mxfp4a16: what compressed-tensors' NVFP4 and MXFP4 compressors
 * write and decompress for the NVFP4A16 and MXFP4A16 presets, made offline by
 * make_ct_fp4_golden.py.txt (a torch restatement of the library's arithmetic: compressed-tensors is
 * not installable here). Quantizing must give the same bytes, loading them must dequantize to the
 * reference's bf16 weights bit for bit (and the kernel layout to its float32 products), and saving
 * must give the loaded bytes back.
 */
class CompressedTensorsFp4GoldenTest {
  private static SafetensorsFile golden(String scheme, String file) {
    return SafetensorsFile.open(TestFiles.testdata("golden/ct-" + scheme + "/" + file));
  }

  private static SafetensorsFile input(String module) {
    return SafetensorsFile.open(
        TestFiles.testdata(
            module.equals("small")
                ? "golden/ct-small-input.safetensors"
                : "golden/ct-fp4-edge-input.safetensors"));
  }

  @ParameterizedTest
  @CsvSource({"nvfp4a16,small", "nvfp4a16,edge", "mxfp4a16,small", "mxfp4a16,edge"})
  void weightsQuantizeToTheGoldenBytes(String scheme, String module) throws IOException {
    try (SafetensorsFile in = input(module);
        SafetensorsFile g = golden(scheme, "model.safetensors")) {
      assertModuleMatches(
          CompressedTensorsGoldenTest.quantizer(scheme), in.tensor(module + ".weight"), g);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"nvfp4a16", "mxfp4a16"})
  void randomLlamaLayerQuantizesToTheGoldenBytes(String scheme) throws IOException {
    Path bf16 = TestFiles.requireShared(CompressedTensorsGoldenTest.BF16);
    try (SafetensorsFile in = SafetensorsFile.open(bf16);
        SafetensorsFile g = golden(scheme, "model.safetensors")) {
      CompressedTensorsQuantizer q = CompressedTensorsGoldenTest.quantizer(scheme);
      int modules = 0;
      for (var info : in.tensors()) {
        if (info.name().endsWith("_proj.weight")) {
          assertModuleMatches(q, in.tensor(info.name()), g);
          modules++;
        }
      }
      assertEquals(7, modules);
    }
  }

  @ParameterizedTest
  @CsvSource({"nvfp4a16,small", "nvfp4a16,edge", "mxfp4a16,small", "mxfp4a16,edge"})
  void goldenTensorsDequantizeAsTheReferenceAndSaveBackByteForByte(String scheme, String module)
      throws IOException {
    try (SafetensorsFile g = golden(scheme, "model.safetensors");
        SafetensorsFile deq = golden(scheme, "dequantized.safetensors")) {
      MapLookup lookup = new MapLookup(Map.of(), MapLookup.MEMORY);
      for (var info : g.tensors()) {
        if (info.name().startsWith(module + ".")) {
          lookup.put(info.name(), g.tensor(info.name()));
        }
      }
      QuantizedWeight loaded =
          CompressedTensorsGoldenTest.quantizer(scheme)
              .loadPrequantized(module + ".weight", lookup);
      Packed4BitMatrix m = assertInstanceOf(Packed4BitMatrix.class, loaded.matrix());
      assertEquals(ActivationPrecision.F32, m.precision(), "exact float path");
      float[] expected = deq.tensor(module).toFloatArray();
      assertBitEqual(expected, loaded.dequantize(), module + " decompressed bf16");
      if (module.equals("edge")) {
        float[] f32 = deq.tensor("edge.f32").toFloatArray();
        float[] ours = new float[f32.length];
        for (int r = 0; r < m.rows(); r++) {
          for (int c = 0; c < m.cols(); c++) {
            ours[r * m.cols() + c] = m.get(r, c);
          }
        }
        assertBitEqual(f32, ours, "edge float32 products");
      }
      Map<String, StoredTensor> saved = bySuffix(loaded);
      assertEquals(lookup.namesStartingWith("").size(), saved.size());
      for (String name : lookup.namesStartingWith("")) {
        assertSameBytes(lookup.require(name), saved.get(name.substring(module.length() + 1)), name);
      }
      // the kernels multiply these very weights: a product against the float copy
      float[] x = new float[m.cols()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) Math.sin(i * 0.37) + 0.1f;
      }
      float[] y = new float[m.rows()];
      Kernels.backend().matmul(m, x, 0, 1, y, 0);
      for (int r = 0; r < m.rows(); r++) {
        double want = 0;
        double mag = 0;
        for (int c = 0; c < m.cols(); c++) {
          want += (double) m.get(r, c) * x[c];
          mag += Math.abs((double) m.get(r, c) * x[c]);
        }
        assertEquals(want, y[r], 1e-5 * mag + 1e-30, module + " row " + r);
      }
    }
  }

  private static void assertBitEqual(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      int e = Float.floatToRawIntBits(expected[i]);
      int a = Float.floatToRawIntBits(actual[i]);
      int at = i;
      assertTrue(
          e == a, () -> what + "[" + at + "]: expected " + expected[at] + ", got " + actual[at]);
    }
  }

  private static void assertModuleMatches(
      CompressedTensorsQuantizer q, TensorView weight, SafetensorsFile golden) {
    String module = weight.name().substring(0, weight.name().length() - ".weight".length());
    Map<String, StoredTensor> ours = bySuffix(q.quantize(weight));
    Map<String, TensorView> expected = new TreeMap<>();
    for (var info : golden.tensors()) {
      if (info.name().startsWith(module + ".")) {
        expected.put(info.name().substring(module.length() + 1), golden.tensor(info.name()));
      }
    }
    assertEquals(expected.keySet(), ours.keySet(), module);
    expected.forEach((suffix, t) -> assertSameBytes(t, ours.get(suffix), module + "." + suffix));
  }
}
