package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * testdata/golden/ct-*: the tensors compressed-tensors' compressors write for one scheme each, made
 * offline by make_ct_golden.py.txt (a numpy transcription of compressed-tensors 0.18 and
 * llm-compressor's min/max observer: the library itself is not installable here). Quantizing the
 * same bf16 weights must give the same bytes, and loading those bytes must give them back.
 */
class CompressedTensorsGoldenTest {
  static final String BF16 = "golden/official/random-1layer-bf16/model.safetensors";

  static CompressedTensorsQuantizer quantizer(String scheme) throws IOException {
    Path cfg = TestFiles.testdata("golden/ct-" + scheme + "/quantization_config.json");
    ObjectNode dict = (ObjectNode) new ObjectMapper().readTree(Files.readString(cfg));
    return new CompressedTensorsQuantizer(CompressedTensorsConfig.fromDict(cfg, dict));
  }

  @ParameterizedTest
  @ValueSource(strings = {"w4a16", "w4a16-asym", "fp8", "fp8-block", "w8a8", "w8-tensor-asym"})
  void smallWeightQuantizesToTheGoldenBytes(String scheme) throws IOException {
    try (SafetensorsFile in =
            SafetensorsFile.open(TestFiles.testdata("golden/ct-small-input.safetensors"));
        SafetensorsFile golden = goldenFile(scheme)) {
      assertModuleMatches(quantizer(scheme), in.tensor("small.weight"), golden);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"w4a16", "w4a16-asym", "fp8", "fp8-block", "w8a8", "w8-tensor-asym"})
  void randomLlamaLayerQuantizesToTheGoldenBytes(String scheme) throws IOException {
    Path bf16 = TestFiles.requireShared(BF16);
    try (SafetensorsFile in = SafetensorsFile.open(bf16);
        SafetensorsFile golden = goldenFile(scheme)) {
      CompressedTensorsQuantizer q = quantizer(scheme);
      int modules = 0;
      for (var info : in.tensors()) {
        if (info.name().endsWith("_proj.weight")) {
          assertModuleMatches(q, in.tensor(info.name()), golden);
          modules++;
        }
      }
      assertEquals(7, modules);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"w4a16", "w4a16-asym", "fp8", "fp8-block", "w8a8", "w8-tensor-asym"})
  void goldenTensorsLoadAndSaveBackByteForByte(String scheme) throws IOException {
    try (SafetensorsFile in =
            SafetensorsFile.open(TestFiles.testdata("golden/ct-small-input.safetensors"));
        SafetensorsFile golden = goldenFile(scheme)) {
      CompressedTensorsQuantizer q = quantizer(scheme);
      MapLookup lookup = new MapLookup(java.util.Map.of(), MapLookup.MEMORY);
      for (var info : golden.tensors()) {
        if (info.name().startsWith("small.")) {
          lookup.put(info.name(), golden.tensor(info.name()));
        }
      }
      QuantizedWeight loaded = q.loadPrequantized("small.weight", lookup);
      QuantizedWeight fresh = q.quantize(in.tensor("small.weight"));
      assertArrayEquals(fresh.dequantize(), loaded.dequantize());
      Map<String, StoredTensor> saved = bySuffix(loaded);
      assertEquals(lookup.namesStartingWith("").size(), saved.size());
      for (String name : lookup.namesStartingWith("")) {
        assertSameBytes(lookup.require(name), saved.get(name.substring("small.".length())), name);
      }
    }
  }

  private static SafetensorsFile goldenFile(String scheme) {
    return SafetensorsFile.open(TestFiles.testdata("golden/ct-" + scheme + "/model.safetensors"));
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

  static Map<String, StoredTensor> bySuffix(QuantizedWeight w) {
    Map<String, StoredTensor> out = new TreeMap<>();
    for (StoredTensor t : w.checkpointTensors()) {
      out.put(t.suffix(), t);
    }
    return out;
  }

  static void assertSameBytes(TensorView expected, StoredTensor actual, String name) {
    assertEquals(expected.dtype(), actual.dtype(), name + " dtype");
    assertEquals(expected.shape(), actual.shape(), name + " shape");
    long mismatch = expected.data().mismatch(actual.data());
    assertTrue(
        mismatch < 0,
        () ->
            name
                + ": first different byte at "
                + mismatch
                + " (expected "
                + expected.data().get(ValueLayout.JAVA_BYTE, mismatch)
                + ", got "
                + actual.data().get(ValueLayout.JAVA_BYTE, mismatch)
                + ")");
  }
}
