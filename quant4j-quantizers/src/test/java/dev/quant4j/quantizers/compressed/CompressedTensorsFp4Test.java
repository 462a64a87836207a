package dev.quant4j.quantizers.compressed;

import static dev.quant4j.quantizers.compressed.CompressedTensorsConfigTest.JSON;
import static dev.quant4j.quantizers.compressed.CompressedTensorsConfigTest.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.error.Quant4jException;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** NVFP4 and MXFP4: configs, tensors, round trips and what malformed input is told. */
class CompressedTensorsFp4Test {
  static final String P = "model.layers.0.mlp.up_proj";

  static QuantizationArgs fp4Weights(boolean nv, String scaleDtype) {
    return new QuantizationArgs(
        4,
        "float",
        true,
        nv ? 16 : 32,
        nv ? "tensor_group" : "group",
        null,
        QuantizationArgs.Dynamic.FALSE,
        null,
        "memoryless_minmax",
        null,
        scaleDtype == null ? Map.of() : Map.of("scale_dtype", TextNode.valueOf(scaleDtype)));
  }

  static CompressedTensorsQuantizer quantizer(boolean nv) {
    return CompressedTensorsErrorBoundPropertiesTest.quantizer(
        fp4Weights(nv, nv ? "torch.float8_e4m3fn" : "torch.uint8"),
        null,
        nv ? "nvfp4-pack-quantized" : "mxfp4-pack-quantized");
  }

  static QuantizedWeight quantize(CompressedTensorsQuantizer q, int rows, int cols) {
    return q.quantize(
        CompressedTensorsErrorBoundPropertiesTest.bf16(
            P + ".weight", rows, cols, CompressedTensorsFormatTest.weight(rows, cols)));
  }

  /** What llm-compressor writes for the NVFP4A16 and MXFP4A16 presets. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        """
        {"config_groups": {"group_0": {"format": "nvfp4-pack-quantized", "input_activations": null, "output_activations": null,
           "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": 16, "num_bits": 4,
                       "observer": "memoryless_minmax", "observer_kwargs": {}, "scale_dtype": "torch.float8_e4m3fn",
                       "strategy": "tensor_group", "symmetric": true, "type": "float", "zp_dtype": null}}},
         "format": "nvfp4-pack-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {},
         "transform_config": {}, "version": "0.18.0"}""",
        """
        {"config_groups": {"group_0": {"input_activations": null, "output_activations": null, "targets": ["Linear"],
           "weights": {"actorder": null, "block_structure": null, "dynamic": false, "group_size": 32, "num_bits": 4,
                       "observer": "memoryless_minmax", "observer_kwargs": {}, "scale_dtype": "torch.uint8",
                       "strategy": "group", "symmetric": true, "type": "float", "zp_dtype": null}}},
         "format": "mxfp4-pack-quantized", "global_compression_ratio": null, "ignore": ["lm_head"], "kv_cache_scheme": null,
         "quant_method": "compressed-tensors", "quantization_status": "compressed", "sparsity_config": {},
         "version": "0.18.0"}"""
      })
  void fp4ConfigsRoundTripAndRun(String json) throws IOException {
    CompressedTensorsConfig c = parse(json);
    assertEquals(JSON.readTree(json), c.toDict());
    assertEquals(c.toDict(), parse(JSON.writeValueAsString(c.toDict())).toDict());
    CompressedTensorsConfig saved =
        (CompressedTensorsConfig) new CompressedTensorsQuantizer(c).config();
    assertEquals(c.format(), saved.format());
    assertEquals(c.toDict(), saved.toDict(), "a compressed checkpoint's config saves unchanged");
  }

  @Test
  void withoutAFormatFp4GroupsOf16AreNvfp4AndOf32Mxfp4() throws IOException {
    String nv =
        "{\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16}}";
    String mx =
        "{\"targets\": [\"re:.*mlp.*\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 32, \"scale_dtype\": \"torch.uint8\"}}";
    CompressedTensorsConfig c =
        parse(
            "{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"a\": "
                + nv
                + ", \"b\": "
                + mx
                + "}}");
    assertEquals("nvfp4-pack-quantized", SchemeFormats.of(c.format(), c.configGroups().get("a")));
    assertEquals("mxfp4-pack-quantized", SchemeFormats.of(c.format(), c.configGroups().get("b")));
    CompressedTensorsConfig saved =
        (CompressedTensorsConfig) new CompressedTensorsQuantizer(c).config();
    assertEquals("mixed-precision", saved.format());
    assertEquals("mxfp4-pack-quantized", saved.toDict().at("/config_groups/b/format").asText());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // fp4 activations other than NVFP4's dynamic "local" ones
        "fp4 input activations with fp4 weights|\"format\": \"nvfp4-pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16}, \"input_activations\": {\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16, \"dynamic\": true}}}",
        "fp4 input activations with fp4 weights|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 32}, \"input_activations\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 32, \"dynamic\": true}}}",
        "float8 input activations with fp4 weights|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 32}, \"input_activations\": {\"num_bits\": 8, \"type\": \"float\", \"strategy\": \"token\", \"dynamic\": true}}}",
        "asymmetric fp4 weights|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"symmetric\": false, \"group_size\": 32}}}",
        "fp4 weights in format 'pack-quantized'|\"format\": \"pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 32}}}",
        "fp4 weights in format 'naive-quantized'|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 64}}}",
        "nvfp4-pack-quantized with strategy 'group'|\"format\": \"nvfp4-pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 16}}}",
        "scale_dtype float16|\"format\": \"nvfp4-pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"strategy\": \"tensor_group\", \"group_size\": 16, \"scale_dtype\": \"torch.float16\"}}}",
        "actorder 'group' with fp4 weights|\"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 32, \"actorder\": \"group\"}}}",
      })
  void unsupportedFp4SchemesFailNamingWhatIsMissing(String caseLine) throws IOException {
    String[] parts = caseLine.split("\\|", 2);
    CompressedTensorsConfig c =
        parse("{\"quant_method\": \"compressed-tensors\", " + parts[1] + "}");
    NotSupportedException e =
        assertThrows(NotSupportedException.class, () -> new CompressedTensorsQuantizer(c));
    assertTrue(e.getMessage().contains(parts[0]), e.getMessage());
    assertTrue(e.getMessage().endsWith("is not supported yet"), e.getMessage());
  }

  @Test
  void aGroupSizeTheFormatDoesNotStoreIsAConfigError() throws IOException {
    CompressedTensorsConfig c =
        parse(
            "{\"quant_method\": \"compressed-tensors\", \"format\": \"mxfp4-pack-quantized\", \"config_groups\": {\"g\": {\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 4, \"type\": \"float\", \"group_size\": 16}}}}");
    ConfigException e =
        assertThrows(ConfigException.class, () -> new CompressedTensorsQuantizer(c));
    assertTrue(e.getMessage().contains("group_size"), e.getMessage());
  }

  @Test
  void quantizingMxfp4NeedsItsUint8ScaleDtypeAndAMinMaxObserver() {
    CompressedTensorsQuantizer noDtype =
        CompressedTensorsErrorBoundPropertiesTest.quantizer(
            fp4Weights(false, null), null, "mxfp4-pack-quantized");
    assertTrue(
        assertThrows(NotSupportedException.class, () -> quantize(noDtype, 2, 32))
            .getMessage()
            .contains("without scale_dtype uint8"));
    QuantizationArgs fourOverSix =
        new QuantizationArgs(
            4,
            "float",
            true,
            16,
            "tensor_group",
            null,
            QuantizationArgs.Dynamic.FALSE,
            null,
            "fouroversix",
            null,
            Map.of());
    CompressedTensorsQuantizer q =
        CompressedTensorsErrorBoundPropertiesTest.quantizer(
            fourOverSix, null, "nvfp4-pack-quantized");
    assertTrue(
        assertThrows(NotSupportedException.class, () -> quantize(q, 2, 32))
            .getMessage()
            .contains("observer 'fouroversix'"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void quantizedWeightsRoundTripThroughTheirTensors(boolean nv) {
    CompressedTensorsQuantizer q = quantizer(nv);
    QuantizedWeight fresh = quantize(q, 6, 96);
    List<StoredTensor> stored = fresh.checkpointTensors();
    assertEquals(nv ? 3 : 2, stored.size());
    assertEquals(Shape.of(6, 48), stored.get(0).shape());
    assertEquals(DType.U8, stored.get(0).dtype());
    assertEquals(Shape.of(6, nv ? 6 : 3), stored.get(1).shape());
    assertEquals(nv ? DType.F8_E4M3 : DType.U8, stored.get(1).dtype());
    QuantizedWeight loaded = q.loadPrequantized(P + ".weight", MapLookup.ofStored(P, stored));
    assertArrayEquals(fresh.dequantize(), loaded.dequantize());
    for (int i = 0; i < stored.size(); i++) {
      StoredTensor a = stored.get(i);
      StoredTensor b = loaded.checkpointTensors().get(i);
      assertEquals(a.suffix(), b.suffix());
      assertEquals(a.shape(), b.shape());
      assertTrue(a.data().mismatch(b.data()) < 0, a.suffix());
    }
    Packed4BitMatrix m = (Packed4BitMatrix) loaded.matrix();
    assertEquals(nv ? 16 : 32, m.blockSize());
    assertEquals(6L * 96 / 2 + 4L * 6 * 96 / m.blockSize(), loaded.storageBytes());
  }

  /** Hand-made bytes: the even column is the low nibble, codes index E2M1 with bit 3 the sign. */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void codesAndScalesDecodeAsTheFormatSays(boolean nv) {
    int gs = nv ? 16 : 32;
    byte[] packed = new byte[gs / 2];
    packed[0] = (byte) 0xF1; // col 0: code 1 (+0.5), col 1: code 15 (-6)
    packed[1] = (byte) 0x7A; // col 2: code 10 (-1), col 3: code 7 (+6)
    MapLookup t = new MapLookup(Map.of(), MapLookup.MEMORY);
    t.put(P + ".weight_packed", tensor("weight_packed", DType.U8, new long[] {1, gs / 2}, packed));
    float expectScale;
    if (nv) {
      byte e4m3 = FloatConversions.floatToE4M3(3f);
      t.put(
          P + ".weight_scale",
          tensor("weight_scale", DType.F8_E4M3, new long[] {1, 1}, new byte[] {e4m3}));
      t.put(P + ".weight_global_scale", global(1, 0.75f));
      expectScale = 3f / 0.75f;
    } else {
      t.put(
          P + ".weight_scale",
          tensor("weight_scale", DType.U8, new long[] {1, 1}, new byte[] {(byte) 125}));
      expectScale = 0.25f;
    }
    QuantizedWeight w = quantizer(nv).loadPrequantized(P + ".weight", t);
    float[] d = w.dequantize();
    assertEquals(0.5f * expectScale, d[0]);
    assertEquals(-6f * expectScale, d[1]);
    assertEquals(-1f * expectScale, d[2]);
    assertEquals(6f * expectScale, d[3]);
    assertEquals(0f, d[4]);
  }

  private static StoredTensor tensor(String suffix, DType dtype, long[] shape, byte[] data) {
    return new StoredTensor(suffix, dtype, Shape.of(shape), MemorySegment.ofArray(data));
  }

  private static StoredTensor global(long n, float v) {
    MemorySegment s = MemorySegment.ofArray(new byte[(int) (4 * n)]);
    for (int i = 0; i < n; i++) {
      s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, v);
    }
    return new StoredTensor("weight_global_scale", DType.F32, Shape.of(n), s);
  }

  private static void rejects(
      boolean nv,
      Consumer<MapLookup> edit,
      Class<? extends Quant4jException> type,
      String mentions) {
    CompressedTensorsQuantizer q = quantizer(nv);
    MapLookup t = MapLookup.ofStored(P, quantize(q, 6, 96).checkpointTensors());
    edit.accept(t);
    Quant4jException e = assertThrows(type, () -> q.loadPrequantized(P + ".weight", t));
    assertTrue(e.getMessage().contains(mentions), e.getMessage());
  }

  @Test
  void nvfp4RejectsMissingMismatchedAndUnexpectedTensors() {
    rejects(
        true,
        t -> t.remove(P + ".weight_global_scale"),
        FormatException.class,
        "weight_global_scale");
    rejects(true, t -> t.remove(P + ".weight_scale"), FormatException.class, P + ".weight_scale");
    rejects(
        true,
        t -> t.put(P + ".weight_global_scale", global(2, 1f)),
        FormatException.class,
        "wrong shape");
    rejects(
        true,
        t -> t.put(P + ".weight_global_scale", global(1, 0f)),
        FormatException.class,
        "finite and positive");
    rejects(
        true,
        t -> t.put(P + ".weight_global_scale", global(1, Float.NaN)),
        FormatException.class,
        "finite and positive");
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_scale",
                tensor("weight_scale", DType.F8_E4M3, new long[] {6, 5}, new byte[30])),
        FormatException.class,
        "wrong shape");
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_scale",
                tensor("weight_scale", DType.U8, new long[] {6, 6}, new byte[36])),
        FormatException.class,
        "wrong dtype");
    byte[] nan = new byte[36];
    nan[7] = (byte) 0xFF;
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_scale", tensor("weight_scale", DType.F8_E4M3, new long[] {6, 6}, nan)),
        FormatException.class,
        "weight_scale[7]");
    // in_features 2 * 44 = 88 is not a multiple of 16
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_packed",
                tensor("weight_packed", DType.U8, new long[] {6, 44}, new byte[264])),
        FormatException.class,
        "multiple of the NVFP4 group size");
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_packed",
                tensor("weight_packed", DType.I8, new long[] {6, 48}, new byte[288])),
        FormatException.class,
        "wrong dtype");
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_packed",
                tensor("weight_packed", DType.U8, new long[] {288}, new byte[288])),
        FormatException.class,
        "[out_features, in_features]");
    rejects(
        true,
        t ->
            t.put(
                P + ".weight_zero_point",
                tensor("weight_zero_point", DType.F8_E4M3, new long[] {6, 6}, new byte[36])),
        FormatException.class,
        "unexpected tensor");
  }

  @Test
  void mxfp4RejectsMismatchedUnexpectedAndNaNScales() {
    rejects(
        false,
        t -> t.put(P + ".weight_global_scale", global(1, 1f)),
        FormatException.class,
        "unexpected tensor");
    rejects(
        false,
        t ->
            t.put(
                P + ".weight_scale",
                tensor("weight_scale", DType.U8, new long[] {6, 6}, new byte[36])),
        FormatException.class,
        "wrong shape");
    rejects(
        false,
        t ->
            t.put(
                P + ".weight_scale",
                tensor("weight_scale", DType.F8_E4M3, new long[] {6, 3}, new byte[18])),
        FormatException.class,
        "wrong dtype");
    byte[] nan = new byte[18];
    nan[4] = (byte) 0xFF;
    rejects(
        false,
        t -> t.put(P + ".weight_scale", tensor("weight_scale", DType.U8, new long[] {6, 3}, nan)),
        FormatException.class,
        "weight_scale[4]");
    // in_features 2 * 40 = 80 is not a multiple of 32
    rejects(
        false,
        t ->
            t.put(
                P + ".weight_packed",
                tensor("weight_packed", DType.U8, new long[] {6, 40}, new byte[240])),
        FormatException.class,
        "multiple of the MXFP4 group size");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void quantizingRefusesNonFiniteWeightsAndRaggedGroups(boolean nv) {
    CompressedTensorsQuantizer q = quantizer(nv);
    float[] w = CompressedTensorsFormatTest.weight(2, 64);
    w[70] = Float.NaN;
    TensorView bad = CompressedTensorsErrorBoundPropertiesTest.bf16(P + ".weight", 2, 64, w);
    assertTrue(
        assertThrows(FormatException.class, () -> q.quantize(bad))
            .getMessage()
            .contains(P + ".weight[70]"));
    TensorView ragged =
        CompressedTensorsErrorBoundPropertiesTest.bf16(
            P + ".weight", 2, 40, CompressedTensorsFormatTest.weight(2, 40));
    assertTrue(
        assertThrows(FormatException.class, () -> q.quantize(ragged))
            .getMessage()
            .contains("multiple of"));
  }

  @Test
  void anAllZeroNvfp4WeightHasNoFiniteGlobalScale() {
    TensorView zeros =
        CompressedTensorsErrorBoundPropertiesTest.bf16(P + ".weight", 2, 32, new float[64]);
    // 2688 / FLT_MIN overflows bfloat16: compressed-tensors would write inf and NaN scales
    NotSupportedException e =
        assertThrows(NotSupportedException.class, () -> quantizer(true).quantize(zeros));
    assertTrue(e.getMessage().contains("global scale"), e.getMessage());
    // MXFP4 has no global scale: zero groups get the smallest E8M0 scale and zero codes
    QuantizedWeight mx = quantizer(false).quantize(zeros);
    assertArrayEquals(new float[64], mx.dequantize());
    assertEquals(0, mx.checkpointTensors().get(1).data().get(ValueLayout.JAVA_BYTE, 0));
  }
}
