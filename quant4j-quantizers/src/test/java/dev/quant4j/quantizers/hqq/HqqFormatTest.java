package dev.quant4j.quantizers.hqq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.TensorData;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Quantize, write the state dict to a safetensors file, read it back: the same bits. */
class HqqFormatTest {
  static final String P = "model.layers.0.mlp.down_proj";

  static TensorView randomWeight(int rows, int cols, long seed) {
    Random r = new Random(seed);
    MemorySegment seg = MemorySegment.ofArray(new byte[rows * cols * 2]);
    for (int i = 0; i < rows * cols; i++) {
      float v = (float) (r.nextGaussian() * 0.02 * (1 + (i % 97 == 0 ? 10 : 0)));
      seg.setAtIndex(
          ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
          i,
          dev.quant4j.dtype.FloatConversions.floatToBf16(v));
    }
    return new TensorView(P + ".weight", DType.BF16, Shape.of(rows, cols), seg, null);
  }

  static HqqQuantizer quantizer(int nbits, int groupSize) {
    return new HqqQuantizer(
        new HqqConfig(HqqLayerConfig.of(nbits, groupSize, 1, false), Map.of(), null, Map.of()),
        TorchSum.AVX2);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 8})
  void saveThenReloadIsBitExact(int nbits, @TempDir Path tmp) {
    HqqQuantizer q = quantizer(nbits, 32);
    QuantizedWeight w = q.quantize(randomWeight(40, 64, nbits));
    Path file = tmp.resolve("model.safetensors");
    SafetensorsWriter.write(
        file,
        Map.of("format", "pt"),
        w.checkpointTensors().stream()
            .map(t -> new TensorData(P + "." + t.suffix(), t.dtype(), t.shape(), t.data()))
            .toList());
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      HqqLinear back = (HqqLinear) q.loadPrequantized(P + ".weight", MapLookup.of(f));
      assertTrue(back.isAsRead());
      assertArrayEquals(w.dequantize(), back.dequantize());
      GroupedIntMatrix a = (GroupedIntMatrix) w.matrix();
      GroupedIntMatrix b = (GroupedIntMatrix) back.matrix();
      assertEquals(a.bits(), b.bits());
      assertEquals(-1, a.codes().mismatch(b.codes()));
      assertEquals(-1, a.scales().mismatch(b.scales()));
      assertEquals(-1, a.zeros().mismatch(b.zeros()));
      List<StoredTensor> again = back.checkpointTensors();
      assertEquals(w.checkpointTensors().size(), again.size());
      for (StoredTensor t : w.checkpointTensors()) {
        StoredTensor u =
            again.stream().filter(x -> x.suffix().equals(t.suffix())).findFirst().orElseThrow();
        assertEquals(t.dtype(), u.dtype(), t.suffix());
        assertEquals(t.shape(), u.shape(), t.suffix());
        assertEquals(-1, t.data().mismatch(u.data()), t.suffix());
      }
    }
  }

  @Test
  void threeBitCodesRunAsFourBitAndOneBitAsTwo() {
    assertEquals(
        4, ((GroupedIntMatrix) quantizer(3, 64).quantize(randomWeight(10, 64, 1)).matrix()).bits());
    assertEquals(
        2, ((GroupedIntMatrix) quantizer(1, 64).quantize(randomWeight(8, 64, 1)).matrix()).bits());
    StoredTensor wq =
        quantizer(3, 64).quantize(randomWeight(10, 64, 1)).checkpointTensors().getFirst();
    assertEquals("W_q", wq.suffix());
    assertEquals(DType.I32, wq.dtype());
    assertEquals(Shape.of(1, 64), wq.shape(), "10 groups of 64: one int32 row");
  }

  private static MapLookup stored(int nbits) {
    return MapLookup.ofStored(
        P, quantizer(nbits, 32).quantize(randomWeight(8, 64, 5)).checkpointTensors());
  }

  private static StoredTensor scalarI32(String suffix, int v) {
    MemorySegment s = MemorySegment.ofArray(new byte[4]);
    s.set(HqqFormat.I32_LE, 0, v);
    return new StoredTensor(suffix, DType.I32, Shape.of(), s);
  }

  @Test
  void badStateDictsAreRefusedNamingTheTensor() {
    HqqQuantizer q = quantizer(4, 32);
    var missing =
        assertThrows(
            FormatException.class,
            () -> q.loadPrequantized(P + ".weight", stored(4).remove(P + ".zero")));
    assertTrue(missing.getMessage().contains(P + ".zero"), missing.getMessage());
    var noWq =
        assertThrows(
            FormatException.class,
            () -> q.loadPrequantized(P + ".weight", stored(4).remove(P + ".W_q")));
    assertTrue(noWq.getMessage().contains("W_q"), noWq.getMessage());
    // A shape claiming more elements than W_q holds is refused before anything is allocated.
    MemorySegment shape = MemorySegment.ofArray(new long[] {1 << 20, 1 << 10});
    var big =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight",
                    stored(4)
                        .put(
                            P + ".shape",
                            new StoredTensor("shape", DType.I64, Shape.of(2), shape))));
    assertTrue(big.getMessage().contains("W_q"), big.getMessage());
    var packing =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight", stored(4).put(P + ".nbits", scalarI32("nbits", 2))));
    assertTrue(packing.getMessage().contains("packing"), packing.getMessage());
  }

  @Test
  void whatIsNotImplementedSaysSo() {
    HqqQuantizer q = quantizer(4, 32);
    var axis0 =
        assertThrows(
            NotSupportedException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight", stored(4).put(P + ".axis", scalarI32("axis", 0))));
    assertTrue(axis0.getMessage().contains("not supported yet"), axis0.getMessage());
    var six =
        assertThrows(
            NotSupportedException.class,
            () ->
                q.loadPrequantized(
                    P + ".weight", stored(8).put(P + ".nbits", scalarI32("nbits", 6))));
    assertTrue(six.getMessage().contains("nbits"), six.getMessage());
    MapLookup quantZero =
        stored(4)
            .put(
                P + ".quant_zero",
                new StoredTensor(
                    "quant_zero", DType.U8, Shape.of(), MemorySegment.ofArray(new byte[] {1})));
    assertThrows(NotSupportedException.class, () -> q.loadPrequantized(P + ".weight", quantZero));
    HqqQuantizer axis0Quantizer =
        new HqqQuantizer(
            new HqqConfig(HqqLayerConfig.of(4, 64, 0, false), Map.of(), null, Map.of()),
            TorchSum.AVX2);
    assertThrows(
        NotSupportedException.class, () -> axis0Quantizer.quantize(randomWeight(8, 64, 1)));
    assertThrows(
        NotSupportedException.class,
        () -> quantizer(4, 48).quantize(randomWeight(8, 64, 1)),
        "groups across rows");
  }

  @Test
  void viewAsFloatStoresTheSameBytesAsFloat16() {
    HqqQuantizer plain = quantizer(4, 32);
    HqqQuantizer viewed =
        new HqqQuantizer(
            new HqqConfig(HqqLayerConfig.of(4, 32, 1, true), Map.of(), null, Map.of()),
            TorchSum.AVX2);
    TensorView w = randomWeight(8, 64, 9);
    StoredTensor a = plain.quantize(w).checkpointTensors().getFirst();
    QuantizedWeight vq = viewed.quantize(w);
    StoredTensor b = vq.checkpointTensors().getFirst();
    assertEquals(DType.F16, b.dtype());
    assertEquals(Shape.of(8, 16), b.shape());
    assertEquals(-1, a.data().mismatch(b.data()));
    HqqLinear back =
        (HqqLinear)
            viewed.loadPrequantized(P + ".weight", MapLookup.ofStored(P, vq.checkpointTensors()));
    assertArrayEquals(vq.dequantize(), back.dequantize());
    assertTrue(back.settings().viewAsFloat());
  }
}
