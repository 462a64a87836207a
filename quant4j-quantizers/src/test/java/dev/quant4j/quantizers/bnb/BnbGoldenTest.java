package dev.quant4j.quantizers.bnb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Quantizing random-1layer-bf16 must give exactly the bytes bitsandbytes 0.50 + transformers 5.17
 * wrote on CPU, and reading then writing those files must give them back unchanged.
 */
class BnbGoldenTest {
  private static final List<String> LINEARS =
      List.of(
          "model.layers.0.self_attn.q_proj",
          "model.layers.0.self_attn.k_proj",
          "model.layers.0.self_attn.v_proj",
          "model.layers.0.self_attn.o_proj",
          "model.layers.0.mlp.gate_proj",
          "model.layers.0.mlp.up_proj",
          "model.layers.0.mlp.down_proj");

  private static Map<String, RawTensor> golden(String dir) throws IOException {
    return GoldenTensors.read(
        TestFiles.requireShared("golden/official/" + dir + "/model.safetensors"));
  }

  @Test
  void nf4DoubleQuantIsByteIdentical() throws IOException {
    Map<String, RawTensor> src = golden("random-1layer-bf16");
    Map<String, RawTensor> q = golden("random-1layer-bnb-nf4-dq");
    for (String p : LINEARS) {
      RawTensor w = src.get(p + ".weight");
      long[] shape = w.shape();
      Bnb4bitWeight ours =
          Bnb4bitQuantizer.quantize(
              p,
              GoldenTensors.bf16ToFloats(w),
              (int) shape[0],
              (int) shape[1],
              BnbFloatType.BFLOAT16,
              Bnb4bitSettings.of(Bnb4bitType.NF4, true));
      Map<String, RawTensor> written = Bnb4bitFormat.write(p, ours);
      Map<String, RawTensor> expected = GoldenTensors.module(q, p);
      assertEquals(expected.keySet(), new TreeSet<>(written.keySet()), p);
      expected.forEach(
          (k, t) ->
              assertTrue(t.contentEquals(written.get(k)), k + ": " + t + " vs " + written.get(k)));
    }
  }

  @Test
  void int8IsByteIdentical() throws IOException {
    Map<String, RawTensor> src = golden("random-1layer-bf16");
    Map<String, RawTensor> q = golden("random-1layer-bnb-int8");
    for (String p : LINEARS) {
      RawTensor w = src.get(p + ".weight");
      long[] shape = w.shape();
      BnbInt8Weight ours =
          BnbInt8Quantizer.quantize(
              p, GoldenTensors.bf16ToFloats(w), (int) shape[0], (int) shape[1]);
      Map<String, RawTensor> written = BnbInt8Format.write(p, ours);
      Map<String, RawTensor> expected = GoldenTensors.module(q, p);
      assertEquals(expected.keySet(), new TreeSet<>(written.keySet()), p);
      expected.forEach((k, t) -> assertTrue(t.contentEquals(written.get(k)), k));
    }
  }

  @Test
  void goldenFilesReadAndWriteBackUnchanged() throws IOException {
    Map<String, RawTensor> q4 = golden("random-1layer-bnb-nf4-dq");
    Map<String, RawTensor> q8 = golden("random-1layer-bnb-int8");
    for (String p : LINEARS) {
      Map<String, RawTensor> m4 = GoldenTensors.module(q4, p);
      Bnb4bitWeight w4 = Bnb4bitFormat.read(Path.of("nf4"), p, m4);
      Map<String, RawTensor> back4 = Bnb4bitFormat.write(p, w4);
      m4.forEach((k, t) -> assertTrue(t.contentEquals(back4.get(k)), k));
      Map<String, RawTensor> m8 = GoldenTensors.module(q8, p);
      BnbInt8Weight w8 = BnbInt8Format.read(Path.of("int8"), p, m8);
      Map<String, RawTensor> back8 = BnbInt8Format.write(p, w8);
      m8.forEach((k, t) -> assertTrue(t.contentEquals(back8.get(k)), k));
    }
  }

  @Test
  void onlyDecoderLinearsAreQuantized() throws IOException {
    // transformers skips lm_head (the output embedding); embeddings and norms are not Linear.
    Set<String> unquantized =
        Set.of(
            "lm_head.weight",
            "model.embed_tokens.weight",
            "model.norm.weight",
            "model.layers.0.input_layernorm.weight",
            "model.layers.0.post_attention_layernorm.weight");
    Map<String, RawTensor> src = golden("random-1layer-bf16");
    for (String dir : List.of("random-1layer-bnb-nf4-dq", "random-1layer-bnb-int8")) {
      Map<String, RawTensor> q = golden(dir);
      for (String name : unquantized) {
        assertEquals(DType.BF16, q.get(name).dtype(), dir + " " + name);
        assertTrue(src.get(name).contentEquals(q.get(name)), dir + " " + name);
        String prefix = name.substring(0, name.length() - ".weight".length());
        assertFalse(Bnb4bitFormat.isPresent(prefix, q) || BnbInt8Format.isPresent(prefix, q), name);
      }
    }
  }

  @Test
  void dequantizedGoldenStaysWithinTheNf4Bound() throws IOException {
    Map<String, RawTensor> src = golden("random-1layer-bf16");
    Map<String, RawTensor> q4 = golden("random-1layer-bnb-nf4-dq");
    String p = "model.layers.0.mlp.down_proj";
    Bnb4bitWeight w = Bnb4bitFormat.read(Path.of("nf4"), p, GoldenTensors.module(q4, p));
    float[] orig = GoldenTensors.bf16ToFloats(src.get(p + ".weight"));
    float[] deq = Bnb4bitDequantizer.dequantize(w);
    for (int f = 0; f < orig.length; f++) {
      // Half the widest NF4 gap, on the double-quantized scale, plus the scale's own error.
      float scale = w.absmax(f / 64);
      float tol = scale * 0.1520f + Math.abs(scale - Math.abs(maxAbs(orig, f / 64 * 64))) + 1e-6f;
      assertTrue(Math.abs(orig[f] - deq[f]) <= tol, "element " + f);
    }
  }

  private static float maxAbs(float[] v, int start) {
    float m = 0;
    for (int i = start; i < Math.min(v.length, start + 64); i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }
}
