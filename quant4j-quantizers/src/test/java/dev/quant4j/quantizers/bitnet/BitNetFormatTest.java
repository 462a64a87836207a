package dev.quant4j.quantizers.bitnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BitNetFormatTest {
  private static final Path FILE = Path.of("model.safetensors");

  /** An in-memory checkpoint. */
  private record Tensors(Map<String, TensorView> map) implements TensorLookup {
    @Override
    public Optional<TensorView> find(String name) {
      return Optional.ofNullable(map.get(name));
    }

    @Override
    public TensorView require(String name) {
      return find(name).orElseThrow(() -> new FormatException(FILE, name, "missing tensor"));
    }

    @Override
    public Set<String> namesStartingWith(String prefix) {
      Set<String> out = new TreeSet<>();
      map.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(out::add);
      return out;
    }

    @Override
    public Path source() {
      return FILE;
    }
  }

  private static TensorView tensor(String name, DType dtype, byte[] bytes, long... dims) {
    return new TensorView(name, dtype, Shape.of(dims), MemorySegment.ofArray(bytes), FILE);
  }

  private static final BitNetQuantizer OFFLINE = BitNetGoldenTest.quantizer("bitlinear", "offline");

  @Test
  void missingOrMalformedPiecesNameTheTensor() {
    TensorView packed = tensor("m.weight", DType.U8, new byte[8], 2, 4);
    FormatException missing =
        assertThrows(
            FormatException.class,
            () -> OFFLINE.loadPrequantized("m.weight", new Tensors(Map.of("m.weight", packed))));
    assertTrue(missing.getMessage().contains("m.weight_scale"), missing.getMessage());

    TensorView zeroScale = tensor("m.weight_scale", DType.F32, new byte[4], 1);
    FormatException zero =
        assertThrows(
            FormatException.class,
            () ->
                OFFLINE.loadPrequantized(
                    "m.weight",
                    new Tensors(Map.of("m.weight", packed, "m.weight_scale", zeroScale))));
    assertTrue(zero.getMessage().contains("m.weight_scale"), zero.getMessage());

    TensorView oddShape = tensor("m.weight", DType.U8, new byte[6], 2, 3);
    TensorView one = tensor("m.weight_scale", DType.F32, new byte[] {0, 0, (byte) 0x80, 0x3f}, 1);
    FormatException shape =
        assertThrows(
            FormatException.class,
            () ->
                OFFLINE.loadPrequantized(
                    "m.weight", new Tensors(Map.of("m.weight", oddShape, "m.weight_scale", one))));
    assertTrue(shape.getMessage().contains("multiples of 4"), shape.getMessage());
  }

  @Test
  void loadsAPackedWeightAndDequantizesAsBitLinear() {
    // 8 x 4: packed [2, 4]; byte 0b10_01_00_10 = rows 0, 2, 4, 6 of column 0 hold 1, -1, 0, 1
    byte[] bytes = new byte[8];
    java.util.Arrays.fill(bytes, (byte) 0b01010101);
    bytes[0] = (byte) 0b10010010;
    TensorView packed = tensor("m.weight", DType.U8, bytes, 2, 4);
    TensorView two = tensor("m.weight_scale", DType.F32, new byte[] {0, 0, 0, 0x40}, 1);
    var w =
        OFFLINE.loadPrequantized(
            "m.weight", new Tensors(Map.of("m.weight", packed, "m.weight_scale", two)));
    float[] d = w.dequantize();
    assertEquals(0.5f, d[0]);
    assertEquals(-0.5f, d[2 * 4]);
    assertEquals(0f, d[4 * 4]);
    assertEquals(0.5f, d[6 * 4]);
    assertEquals(0f, d[1]);
  }

  @Test
  void modulesToNotConvertAreLeftAlone() {
    BitNetQuantizer q =
        new BitNetQuantizer(
            new BitNetConfig(List.of("mlp"), "bitlinear", "offline", false, 1e-6, Map.of()));
    Set<String> convert =
        q.weightsToConvert(
            List.of("model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.up_proj.weight"),
            "lm_head.weight");
    assertEquals(Set.of("model.layers.0.self_attn.q_proj.weight"), convert);
    assertEquals(
        Set.of("model.layers.0.mlp.up_proj.weight"),
        OFFLINE.weightsToConvert(List.of("model.layers.0.mlp.up_proj.weight"), "lm_head.weight"));
  }
}
