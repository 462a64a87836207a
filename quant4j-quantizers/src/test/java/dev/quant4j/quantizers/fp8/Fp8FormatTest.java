package dev.quant4j.quantizers.fp8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Fp8FormatTest {
  static final String P = "model.layers.0.mlp.down_proj";
  static final Path SRC = Path.of("memory");

  static float[] gaussian(int n, long seed) {
    Random r = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] =
          FloatConversions.bf16ToFloat(
              FloatConversions.floatToBf16((float) r.nextGaussian() * 0.02f));
    }
    return w;
  }

  static TensorView f32(String name, float[] v, long... shape) {
    return new TensorView(name, DType.F32, Shape.of(shape), Fp8Weight.floats(v), SRC);
  }

  static Quantizer fineGrained(String json) {
    FineGrainedFp8Method m = new FineGrainedFp8Method();
    return m.newQuantizer(m.fromDict(SRC, dict(json)));
  }

  static ObjectNode dict(String json) {
    return (ObjectNode) new BoundedJson(1 << 16).parse(SRC, json.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"quant_method\": \"fp8\"}",
        "{\"quant_method\": \"fp8\", \"scale_fmt\": \"ue8m0\"}",
        "{\"quant_method\": \"fp8\", \"weight_block_size\": null}",
        "{\"quant_method\": \"fbgemm_fp8\", \"activation_scale_ub\": 300.0}"
      })
  void saveThenReloadIsBitExact(String json) {
    boolean fbgemm = json.contains("fbgemm");
    Quantizer q =
        fbgemm
            ? new FbgemmFp8Method().newQuantizer(new FbgemmFp8Method().fromDict(SRC, dict(json)))
            : fineGrained(json);
    float[] w = gaussian(256 * 384, 1);
    QuantizedWeight made = q.quantize(f32(P + ".weight", w, 256, 384));
    List<StoredTensor> stored = made.checkpointTensors();
    QuantizedWeight back = q.loadPrequantized(P + ".weight", MapLookup.ofStored(P, stored));
    assertArrayEquals(made.dequantize(), back.dequantize());
    List<StoredTensor> again = back.checkpointTensors();
    assertEquals(stored.size(), again.size());
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(stored.get(i).suffix(), again.get(i).suffix());
      assertEquals(stored.get(i).dtype(), again.get(i).dtype());
      assertEquals(stored.get(i).shape(), again.get(i).shape());
      assertEquals(-1, stored.get(i).data().mismatch(again.get(i).data()));
    }
    assertEquals(made.matrix().activations(), back.matrix().activations());
  }

  /** DeepSeek's 576 x 7168 kv_a_proj has a partial last row of blocks: the grid is a ceil-div. */
  @Test
  void partialEdgeBlocksUseTheirOwnScale() {
    int rows = 200;
    int cols = 300;
    byte[] codes = new byte[rows * cols];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = FloatConversions.floatToE4M3((i % 17) - 8);
    }
    float[] scales = {1f, 2f, 3f, 4f, 5f, 6f}; // 2 x 3 blocks of 128
    MapLookup lookup =
        new MapLookup(
            Map.of(
                P + ".weight",
                new TensorView(
                    P + ".weight",
                    DType.F8_E4M3,
                    Shape.of(rows, cols),
                    MemorySegment.ofArray(codes),
                    SRC),
                P + ".weight_scale_inv",
                f32(P + ".weight_scale_inv", scales, 2, 3)),
            SRC);
    QuantizedWeight w =
        fineGrained("{\"quant_method\": \"fp8\"}").loadPrequantized(P + ".weight", lookup);
    Fp8Matrix m = assertInstanceOf(Fp8Matrix.class, w.matrix());
    assertEquals(((199 * 300 + 299) % 17 - 8) * 6f, m.get(199, 299));
    assertEquals(((150 * 300 + 10) % 17 - 8) * 4f, m.get(150, 10));
    assertEquals(((5 * 300 + 260) % 17 - 8) * 3f, w.dequantize()[5 * 300 + 260]);
    assertEquals(new Fp8Activations.PerGroup(128, false), m.activations());
  }

  @Test
  void badTensorsFailNamingThem() {
    Quantizer q = fineGrained("{\"quant_method\": \"fp8\"}");
    QuantizedWeight made = q.quantize(f32(P + ".weight", gaussian(128 * 128, 2), 128, 128));
    MapLookup ok = MapLookup.ofStored(P, made.checkpointTensors());
    FormatException missing =
        assertThrows(
            FormatException.class,
            () -> q.loadPrequantized(P + ".weight", ok.without(P + ".weight_scale_inv")));
    assertTrue(missing.getMessage().contains("weight_scale_inv"), missing.getMessage());
    FormatException shape =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight",
                    ok.with(
                        P + ".weight_scale_inv",
                        f32(P + ".weight_scale_inv", new float[] {1, 1}, 1, 2))));
    assertTrue(shape.getMessage().contains("[1, 1]"), shape.getMessage());
    byte[] nan = new byte[128 * 128];
    nan[77] = (byte) 0x7F;
    FormatException nanCode =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight",
                    ok.with(
                        P + ".weight",
                        new TensorView(
                            P + ".weight",
                            DType.F8_E4M3,
                            Shape.of(128, 128),
                            MemorySegment.ofArray(nan),
                            SRC))));
    assertTrue(nanCode.getMessage().contains("element 77"), nanCode.getMessage());
    FormatException infScale =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight",
                    ok.with(
                        P + ".weight_scale_inv",
                        f32(
                            P + ".weight_scale_inv",
                            new float[] {Float.POSITIVE_INFINITY},
                            1,
                            1))));
    assertTrue(infScale.getMessage().contains("not finite"), infScale.getMessage());
    float[] withNaN = gaussian(128 * 128, 3);
    withNaN[5] = Float.NaN;
    assertThrows(FormatException.class, () -> q.quantize(f32(P + ".weight", withNaN, 128, 128)));
    assertThrows(FormatException.class, () -> q.quantize(f32(P + ".weight", new float[128], 128)));
  }

  @Test
  void fp8EmbeddingsAreNotSupportedYet() {
    NotSupportedException e =
        assertThrows(
            NotSupportedException.class,
            () ->
                fineGrained(
                    "{\"quant_method\": \"fp8\", \"modules_to_convert\": [\"model.embed_tokens\"]}"));
    assertTrue(e.getMessage().contains("not supported yet"), e.getMessage());
  }

  @Test
  void staticActivationsNeedTheirCalibratedScale() {
    Quantizer q = fineGrained("{\"quant_method\": \"fp8\", \"activation_scheme\": \"static\"}");
    assertThrows(
        NotSupportedException.class,
        () -> q.quantize(f32(P + ".weight", gaussian(128 * 128, 4), 128, 128)));
    QuantizedWeight made =
        fineGrained("{\"quant_method\": \"fp8\"}")
            .quantize(f32(P + ".weight", gaussian(128 * 128, 4), 128, 128));
    MapLookup lookup = MapLookup.ofStored(P, made.checkpointTensors());
    FormatException e =
        assertThrows(FormatException.class, () -> q.loadPrequantized(P + ".weight", lookup));
    assertTrue(e.getMessage().contains("activation_scale"), e.getMessage());
    QuantizedWeight w =
        q.loadPrequantized(
            P + ".weight",
            lookup.with(P + ".activation_scale", f32(P + ".activation_scale", new float[] {0.5f})));
    assertEquals(new Fp8Activations.PerTensor(0.5f), w.matrix().activations());
    assertEquals("activation_scale", w.checkpointTensors().get(2).suffix());
  }

  @Test
  void unconvertedLayersRoundTripAndDequantizeLoadsFloats() {
    Quantizer q = fineGrained("{\"quant_method\": \"fp8\"}");
    float[] w = gaussian(64 * 128, 5);
    QuantizedWeight kept = q.quantize(f32(P + ".weight", w, 64, 128));
    assertInstanceOf(UnconvertedWeight.class, kept);
    assertArrayEquals(w, kept.dequantize());
    QuantizedWeight back =
        q.loadPrequantized(P + ".weight", MapLookup.ofStored(P, kept.checkpointTensors()));
    assertArrayEquals(w, back.dequantize());

    QuantizedWeight fp8 = q.quantize(f32(P + ".weight", gaussian(128 * 128, 6), 128, 128));
    QuantizedWeight deq =
        fineGrained("{\"quant_method\": \"fp8\", \"dequantize\": true}")
            .loadPrequantized(P + ".weight", MapLookup.ofStored(P, fp8.checkpointTensors()));
    assertInstanceOf(UnconvertedWeight.class, deq);
    assertArrayEquals(fp8.dequantize(), deq.dequantize());
  }

  /** Config round trips, and the defaults as transformers 5.17's to_dict() writes them. */
  @Test
  void configsRoundTripAndMatchTransformersDefaults() {
    String fgDefault =
        "{\"activation_scheme\":\"dynamic\",\"dequantize\":false,\"modules_to_convert\":null,"
            + "\"modules_to_not_convert\":null,\"quant_method\":\"fp8\",\"scale_fmt\":\"float\","
            + "\"weight_block_size\":[128,128]}";
    String fbDefault =
        "{\"activation_scale_ub\":1200.0,\"modules_to_not_convert\":null,"
            + "\"quant_method\":\"fbgemm_fp8\"}";
    // Compared as text: the parsed and the built trees hold numbers as different node types.
    assertEquals(dict(fgDefault).toString(), FineGrainedFp8Config.DEFAULTS.toDict().toString());
    assertEquals(dict(fbDefault).toString(), FbgemmFp8Config.DEFAULTS.toDict().toString());
    for (String json :
        List.of(
            "{\"quant_method\":\"fp8\",\"weight_block_size\":[64,32],\"scale_fmt\":\"ue8m0\","
                + "\"modules_to_not_convert\":[\"lm_head\"],\"fmt\":\"e4m3\"}",
            "{\"quant_method\":\"fp8\",\"activation_scheme\":\"STATIC\",\"weight_block_size\":null}")) {
      QuantizationConfig c = new FineGrainedFp8Method().fromDict(SRC, dict(json));
      assertEquals(c, new FineGrainedFp8Method().fromDict(SRC, c.toDict()));
    }
    QuantizationConfig fb =
        new FbgemmFp8Method()
            .fromDict(
                SRC,
                dict(
                    "{\"quant_method\":\"fbgemm_fp8\",\"activation_scale_ub\":600.5,"
                        + "\"modules_to_not_convert\":[\"model.layers.0.mlp\"]}"));
    assertEquals(fb, new FbgemmFp8Method().fromDict(SRC, fb.toDict()));
    assertTrue(new FineGrainedFp8Method().support().quantizeOnLoad());
    assertTrue(new FbgemmFp8Method().support().loadPrequantized());
  }
}
