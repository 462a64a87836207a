package dev.quant4j.quantizers.compressed;

import static dev.quant4j.quantizers.compressed.CompressedTensorsErrorBoundPropertiesTest.bf16;
import static dev.quant4j.quantizers.compressed.CompressedTensorsErrorBoundPropertiesTest.quantizer;
import static dev.quant4j.quantizers.compressed.CompressedTensorsErrorBoundPropertiesTest.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.Quant4jException;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading and writing the module tensors, and what a malformed module is told. */
class CompressedTensorsFormatTest {
  static final String P = "model.layers.0.mlp.up_proj";

  static float[] weight(int rows, int cols) {
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      w[i] = bf16((float) Math.sin(i * 0.37) * 0.05f * (1 + i % 7));
    }
    return w;
  }

  static CompressedTensorsQuantizer intQuantizer(
      int bits, boolean sym, String strategy, Integer gs, String format) {
    return quantizer(weights(bits, "int", sym, strategy, gs), null, format);
  }

  static QuantizedWeight quantize(CompressedTensorsQuantizer q, int rows, int cols) {
    return q.quantize(
        CompressedTensorsErrorBoundPropertiesTest.bf16(
            P + ".weight", rows, cols, weight(rows, cols)));
  }

  @ParameterizedTest
  @CsvSource({
    "4, true, group, 32, pack-quantized",
    "4, false, group, 32, pack-quantized",
    "3, false, channel, , pack-quantized",
    "5, true, group, 16, pack-quantized",
    "8, false, tensor, , pack-quantized",
    "2, true, channel, , naive-quantized",
    "4, false, group, 16, naive-quantized",
    "8, true, channel, , int-quantized",
  })
  void intSchemesRoundTripThroughTheirTensors(
      int bits, boolean sym, String strategy, Integer gs, String format) {
    CompressedTensorsQuantizer q = intQuantizer(bits, sym, strategy, gs, format);
    QuantizedWeight fresh = quantize(q, 6, 96);
    QuantizedWeight loaded =
        q.loadPrequantized(P + ".weight", MapLookup.ofStored(P, fresh.checkpointTensors()));
    assertArrayEquals(fresh.dequantize(), loaded.dequantize());
    assertEquals(fresh.checkpointTensors().size(), loaded.checkpointTensors().size());
    for (int i = 0; i < fresh.checkpointTensors().size(); i++) {
      StoredTensor a = fresh.checkpointTensors().get(i);
      StoredTensor b = loaded.checkpointTensors().get(i);
      assertEquals(a.suffix(), b.suffix());
      assertTrue(a.data().mismatch(b.data()) < 0, a.suffix());
    }
    GroupedIntMatrix m = assertInstanceOf(GroupedIntMatrix.class, loaded.matrix());
    assertEquals(KernelLayouts.containerBits(bits), m.bits());
    float[] d = loaded.dequantize();
    for (int r = 0; r < 6; r++) {
      for (int c = 0; c < 96; c++) {
        // the kernels keep the float32 product that dequantize() rounds to bf16
        assertEquals(d[r * 96 + c], bf16(m.get(r, c)), 0f);
      }
    }
  }

  @Test
  void int4GroupWeightsAreTheKernelCodesAsStored() {
    QuantizedWeight w = quantize(intQuantizer(4, true, "group", 32, "pack-quantized"), 4, 64);
    GroupedIntMatrix m = (GroupedIntMatrix) w.matrix();
    assertTrue(m.codes().mismatch(w.checkpointTensors().getFirst().data()) < 0);
    assertEquals(
        List.of("weight_packed", "weight_scale", "weight_shape"),
        w.checkpointTensors().stream().map(StoredTensor::suffix).toList());
    assertEquals(DType.I64, w.checkpointTensors().get(2).dtype());
    assertEquals(DType.BF16, w.checkpointTensors().get(1).dtype());
    assertEquals(Shape.of(4, 2), w.checkpointTensors().get(1).shape());
  }

  @Test
  void fp8ChannelWeightsRunOnOneByColsScaleTiles() {
    QuantizedWeight w =
        quantize(
            quantizer(weights(8, "float", true, "channel", null), null, "float-quantized"), 5, 64);
    Fp8Matrix m = assertInstanceOf(Fp8Matrix.class, w.matrix());
    assertEquals(1, m.blockRows());
    assertEquals(64, m.blockCols());
    assertEquals(Shape.of(5, 1), w.checkpointTensors().get(1).shape());
    assertEquals(DType.F8_E4M3, w.checkpointTensors().getFirst().dtype());
  }

  private static void rejects(
      CompressedTensorsQuantizer q,
      Consumer<MapLookup> edit,
      Class<? extends Quant4jException> type,
      String mentions) {
    MapLookup t = MapLookup.ofStored(P, quantize(q, 6, 96).checkpointTensors());
    edit.accept(t);
    Quant4jException e = assertThrows(type, () -> q.loadPrequantized(P + ".weight", t));
    assertTrue(e.getMessage().contains(mentions), e.getMessage());
  }

  private static StoredTensor tensor(String suffix, DType dtype, long[] shape, byte[] data) {
    return new StoredTensor(suffix, dtype, Shape.of(shape), MemorySegment.ofArray(data));
  }

  @Test
  void packQuantizedRejectsMissingMismatchedAndUnexpectedTensors() {
    CompressedTensorsQuantizer q = intQuantizer(4, false, "group", 32, "pack-quantized");
    rejects(q, t -> t.remove(P + ".weight_shape"), FormatException.class, P + ".weight_shape");
    rejects(q, t -> t.remove(P + ".weight_zero_point"), FormatException.class, "weight_zero_point");
    rejects(
        q,
        t -> t.put(P + ".weight_shape", CtTensors.int64("weight_shape", 6, 80)),
        FormatException.class,
        "does not match");
    rejects(
        q,
        t -> t.put(P + ".weight_shape", CtTensors.int64("weight_shape", 6, -96)),
        FormatException.class,
        "does not match");
    rejects(
        q,
        t -> t.put(P + ".weight_extra", CtTensors.int64("weight_extra", 1)),
        FormatException.class,
        "unexpected tensor");
    rejects(
        q,
        t ->
            t.put(
                P + ".weight_scale",
                CtTensors.floats(
                    "weight_scale", ScaleDtype.BF16, new long[] {6, 2}, new float[12])),
        FormatException.class,
        "wrong shape");
    rejects(
        q,
        t ->
            t.put(
                P + ".weight_scale",
                CtTensors.int32("weight_scale", new long[] {6, 3}, new int[18])),
        FormatException.class,
        "wrong dtype");
    float[] nan = new float[18];
    nan[5] = Float.NaN;
    rejects(
        q,
        t ->
            t.put(
                P + ".weight_scale",
                CtTensors.floats("weight_scale", ScaleDtype.F32, new long[] {6, 3}, nan)),
        FormatException.class,
        "weight_scale[5]");
    rejects(
        q,
        t ->
            t.put(
                P + ".weight_zero_point",
                CtTensors.int32("weight_zero_point", new long[] {2, 3}, new int[6])),
        FormatException.class,
        "wrong shape");
  }

  @Test
  void naiveQuantizedRejectsCodesOutsideTheirBitsAndNaNFp8() {
    CompressedTensorsQuantizer q = intQuantizer(4, true, "channel", null, "naive-quantized");
    byte[] codes = new byte[6 * 96];
    codes[100] = 9;
    rejects(
        q,
        t -> t.put(P + ".weight", tensor("weight", DType.I8, new long[] {6, 96}, codes)),
        FormatException.class,
        "weight[100]");
    rejects(
        q,
        t ->
            t.put(
                P + ".weight",
                tensor("weight", DType.I16, new long[] {6, 96}, new byte[2 * 6 * 96])),
        FormatException.class,
        "wrong dtype");
    CompressedTensorsQuantizer fp8 =
        quantizer(weights(8, "float", true, "channel", null), null, "float-quantized");
    byte[] f = new byte[6 * 96];
    f[7] = 0x7F;
    rejects(
        fp8,
        t -> t.put(P + ".weight", tensor("weight", DType.F8_E4M3, new long[] {6, 96}, f)),
        FormatException.class,
        "weight[7]");
    byte[] z = new byte[6];
    z[0] = 1;
    rejects(
        q,
        t ->
            t.put(
                P + ".weight_zero_point",
                tensor("weight_zero_point", DType.I8, new long[] {6, 1}, z)),
        FormatException.class,
        "symmetric");
  }

  @Test
  void activationOrderLoadsOnlyInColumnOrder() {
    CompressedTensorsQuantizer q = intQuantizer(4, true, "group", 32, "pack-quantized");
    int[] order = new int[96];
    for (int c = 0; c < 96; c++) {
      order[c] = c / 32;
    }
    MapLookup t = MapLookup.ofStored(P, quantize(q, 6, 96).checkpointTensors());
    t.put(P + ".weight_g_idx", CtTensors.int32("weight_g_idx", new long[] {96}, order));
    assertEquals(
        4, q.loadPrequantized(P + ".weight", t).checkpointTensors().size(), "kept for saving");
    int[] permuted = order.clone();
    permuted[0] = 2;
    permuted[95] = 0;
    rejects(
        q,
        m -> m.put(P + ".weight_g_idx", CtTensors.int32("weight_g_idx", new long[] {96}, permuted)),
        dev.quant4j.error.NotSupportedException.class,
        "column order");
  }

  @Test
  void staticInputActivationsLoadWithTheirScale() {
    QuantizationArgs in =
        new QuantizationArgs(
            8,
            "float",
            true,
            null,
            "tensor",
            null,
            QuantizationArgs.Dynamic.FALSE,
            null,
            "minmax",
            null,
            java.util.Map.of());
    CompressedTensorsQuantizer q =
        quantizer(weights(8, "float", true, "channel", null), in, "float-quantized");
    var e = assertThrows(dev.quant4j.error.NotSupportedException.class, () -> quantize(q, 2, 32));
    assertTrue(e.getMessage().contains("calibration"), e.getMessage());
    CompressedTensorsQuantizer dynamic =
        quantizer(weights(8, "float", true, "channel", null), null, "float-quantized");
    MapLookup t = MapLookup.ofStored(P, quantize(dynamic, 2, 32).checkpointTensors());
    t.put(
        P + ".input_scale",
        CtTensors.floats("input_scale", ScaleDtype.BF16, new long[] {1}, new float[] {0.5f}));
    QuantizedWeight w = q.loadPrequantized(P + ".weight", t);
    assertEquals(3, w.checkpointTensors().size());
    float[] x = {1.1f, -300f, 0.01f};
    float[] out = new float[3];
    w.matrix().activations().apply(x, 0, 1, 3, out);
    // x / 0.5 in e4m3, times 0.5; -600 clamps to -448
    assertArrayEquals(new float[] {1.125f, -224f, 0.009765625f}, out);
  }
}
