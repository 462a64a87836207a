package dev.quant4j.quantizers.eetq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.json.BoundedJson;
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
import java.util.Random;
import org.junit.jupiter.api.Test;

class EetqFormatTest {
  static final String P = "model.layers.0.self_attn.o_proj";
  static final Path SRC = Path.of("memory");

  static TensorView bf16(float[] v, long rows, long cols) {
    short[] bits = new short[v.length];
    for (int i = 0; i < v.length; i++) {
      bits[i] = dev.quant4j.dtype.FloatConversions.floatToBf16(v[i]);
    }
    return new TensorView(
        P + ".weight", DType.BF16, Shape.of(rows, cols), MemorySegment.ofArray(bits), SRC);
  }

  static float[] gaussian(int n) {
    Random r = new Random(n);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) r.nextGaussian() * 0.05f;
    }
    return w;
  }

  static Quantizer quantizer() {
    return new EetqMethod().newQuantizer(EetqConfig.DEFAULTS);
  }

  @Test
  void saveThenReloadIsBitExact() {
    Quantizer q = quantizer();
    QuantizedWeight made = q.quantize(bf16(gaussian(192 * 128), 192, 128));
    List<StoredTensor> stored = made.checkpointTensors();
    assertEquals(Shape.of(128, 192), stored.get(0).shape(), "stored as W^T: [in, out]");
    assertEquals(DType.F16, stored.get(1).dtype());
    QuantizedWeight back = q.loadPrequantized(P + ".weight", MapLookup.ofStored(P, stored));
    assertArrayEquals(made.dequantize(), back.dequantize());
    List<StoredTensor> again = back.checkpointTensors();
    for (int i = 0; i < 2; i++) {
      assertEquals(-1, stored.get(i).data().mismatch(again.get(i).data()), stored.get(i).suffix());
    }
  }

  @Test
  void badInputFailsNamingTheTensor() {
    Quantizer q = quantizer();
    NotSupportedException odd =
        assertThrows(
            NotSupportedException.class, () -> q.quantize(bf16(gaussian(96 * 64), 96, 64)));
    assertTrue(odd.getMessage().contains("multiples of 64"), odd.getMessage());
    float[] huge = gaussian(64 * 64);
    huge[3] = 1e6f;
    FormatException f16 = assertThrows(FormatException.class, () -> q.quantize(bf16(huge, 64, 64)));
    assertTrue(f16.getMessage().contains("float16"), f16.getMessage());

    QuantizedWeight made = q.quantize(bf16(gaussian(64 * 64), 64, 64));
    MapLookup ok = MapLookup.ofStored(P, made.checkpointTensors());
    assertThrows(
        FormatException.class,
        () -> q.loadPrequantized(P + ".weight", ok.without(P + ".weight_scales")));
    TensorView wrongScales =
        new TensorView(
            P + ".weight_scales",
            DType.F16,
            Shape.of(32),
            MemorySegment.ofArray(new short[32]),
            SRC);
    FormatException shape =
        assertThrows(
            FormatException.class,
            () -> q.loadPrequantized(P + ".weight", ok.with(P + ".weight_scales", wrongScales)));
    assertTrue(shape.getMessage().contains("[64]"), shape.getMessage());
    TensorView notInt8 =
        new TensorView(
            P + ".weight", DType.U8, Shape.of(64, 64), MemorySegment.ofArray(new byte[4096]), SRC);
    assertThrows(
        FormatException.class,
        () -> q.loadPrequantized(P + ".weight", ok.with(P + ".weight", notInt8)));
    TensorView notTiled =
        new TensorView(
            P + ".weight",
            DType.I8,
            Shape.of(64, 48),
            MemorySegment.ofArray(new byte[64 * 48]),
            SRC);
    assertThrows(
        FormatException.class,
        () -> q.loadPrequantized(P + ".weight", ok.with(P + ".weight", notTiled)));
  }

  @Test
  void configRoundTripsAndMatchesTransformersDefault() {
    assertEquals(
        "{\"modules_to_not_convert\":null,\"quant_method\":\"eetq\",\"weights\":\"int8\"}",
        EetqConfig.DEFAULTS.toDict().toString());
    ObjectNode d =
        (ObjectNode)
            new BoundedJson(1 << 16)
                .parse(
                    SRC,
                    "{\"quant_method\":\"eetq\",\"weights\":\"int8\",\"modules_to_not_convert\":[\"lm_head\",\"model.layers.0\"]}"
                        .getBytes(StandardCharsets.UTF_8));
    QuantizationConfig c = new EetqMethod().fromDict(SRC, d);
    assertEquals(c, new EetqMethod().fromDict(SRC, c.toDict()));
    assertEquals(List.of("lm_head", "model.layers.0"), c.modulesToNotConvert());
  }
}
