package dev.quant4j.quantizers.torchao;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantizers.testing.MapLookup;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * torchao's tile-packed int4 ({@code Int4TilePackedTo4dTensor}) against a restatement of PyTorch's
 * CUDA packer {@code matrix_to_m16n8k16_Bint4_layout} (int4mm.cu), written here loop for loop as
 * that kernel runs (one CUDA block per k super-tile and n tile, one thread per lane): no CUDA
 * device was available to write a real checkpoint.
 */
class TorchAoTilePackedTest {
  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final String MODULE = "model.layers.0.mlp.down_proj";

  /** The kernel's output {@code [n/8][k/(t*16)][32][t/2]} from bytes {@code b[n][k/2]}. */
  static int[] cudaPack(int[][] b, int n, int k, int innerKTiles) {
    int nTiles = n / 8;
    int kSuperTiles = k / (innerKTiles * 16);
    int[] out = new int[nTiles * kSuperTiles * 32 * (innerKTiles / 2)];
    for (int nTile = 0; nTile < nTiles; nTile++) {
      for (int kOuterTile = 0; kOuterTile < kSuperTiles; kOuterTile++) {
        for (int t = 0; t < 32; t++) {
          for (int innerKTile = 0; innerKTile < innerKTiles; innerKTile += 2) {
            int n0 = nTile * 8 + (t / 4);
            int kBase0 = (kOuterTile * innerKTiles + innerKTile) * 16 / 2;
            int[] ks = new int[4];
            ks[0] = kBase0 + t % 4;
            ks[1] = ks[0] + 4;
            int kBase1 = kBase0 + 16 / 2;
            ks[2] = kBase1 + t % 4;
            ks[3] = ks[2] + 4;
            int[] v = new int[4];
            for (int i = 0; i < 4; i++) {
              v[i] = b[n0][ks[i]];
            }
            int pack =
                ((v[3] & 0xF) << 28)
                    | ((v[2] & 0xF) << 24)
                    | ((v[1] & 0xF) << 20)
                    | ((v[0] & 0xF) << 16)
                    | ((v[3] & 0xF0) << 8)
                    | ((v[2] & 0xF0) << 4)
                    | (v[1] & 0xF0)
                    | ((v[0] & 0xF0) >> 4);
            int at = ((nTile * kSuperTiles + kOuterTile) * 32 + t) * (innerKTiles / 2);
            out[at + innerKTile / 2] = pack;
          }
        }
      }
    }
    return out;
  }

  /** A padded {@code n x k} weight's codes {@code u}, its tensors, and its float bf16 scales. */
  record Fixture(int[][] u, TensorView qdata, TensorView scaleAndZero, float[][][] sz) {}

  static Fixture fixture(Random r, int n, int k, int innerKTiles, int groupSize) {
    int[][] u = new int[n][k];
    int[][] b = new int[n][k / 2];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        u[i][j] = r.nextInt(16);
      }
      for (int j = 0; j < k / 2; j++) {
        b[i][j] = u[i][2 * j] << 4 | u[i][2 * j + 1]; // torchao: w[:, ::2] << 4 | w[:, 1::2]
      }
    }
    int[] words = cudaPack(b, n, k, innerKTiles);
    MemorySegment q = Arena.ofAuto().allocate(words.length * 4L);
    for (int i = 0; i < words.length; i++) {
      q.set(I32, i * 4L, words[i]);
    }
    int groups = k / groupSize;
    float[][][] sz = new float[groups][n][2];
    MemorySegment s = Arena.ofAuto().allocate(groups * n * 2 * 2L);
    for (int g = 0; g < groups; g++) {
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < 2; c++) {
          float value = c == 0 ? 0.001f + r.nextFloat() / 64 : (r.nextFloat() - 0.5f) / 8;
          short bits = (short) (Float.floatToRawIntBits(value) >>> 16);
          sz[g][i][c] = Float.intBitsToFloat(bits << 16);
          s.set(I16, ((long) (g * n + i) * 2 + c) * 2, bits);
        }
      }
    }
    TensorView qdata =
        new TensorView(
            MODULE + "._weight_qdata",
            DType.I32,
            Shape.of(n / 8, k / (innerKTiles * 16), 32, innerKTiles / 2),
            q,
            MapLookup.MEMORY);
    TensorView scaleAndZero =
        new TensorView(
            MODULE + "._weight_scale_and_zero",
            DType.BF16,
            Shape.of(groups, n, 2),
            s,
            MapLookup.MEMORY);
    return new Fixture(u, qdata, scaleAndZero, sz);
  }

  static TorchAoQuantizer tilePacked(int groupSize) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("group_size", groupSize);
    data.putObject("int4_packing_format")
        .put("_type", "Int4PackingFormat")
        .put("_data", "TILE_PACKED_TO_4D");
    return new TorchAoQuantizer(
        TorchAoConfig.of(new TorchAoQuantType.AoConfig("Int4WeightOnlyConfig", 2, data)));
  }

  static MapLookup lookup(Fixture f) {
    return new MapLookup(
        Map.of(f.qdata().name(), f.qdata(), f.scaleAndZero().name(), f.scaleAndZero()),
        MapLookup.MEMORY);
  }

  @ParameterizedTest(name = "inner k-tiles {0}")
  @ValueSource(ints = {2, 4, 8})
  void unpacksWhatTheCudaPackerWritesCroppedToTheLayer(int innerKTiles) {
    Random r = new Random(innerKTiles);
    int n = 16;
    int k = 256;
    int g = 64;
    Fixture f = fixture(r, n, k, innerKTiles, g);
    int rows = 13;
    int cols = 192;
    QuantizedWeight loaded =
        tilePacked(g).loadPrequantized(MODULE + ".weight", lookup(f)).withShape(rows, cols);
    float[] d = loaded.dequantize();
    GroupedIntMatrix m = (GroupedIntMatrix) loaded.matrix();
    assertEquals(rows, m.rows());
    assertEquals(cols, m.cols());
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        float s = f.sz()[j / g][i][0];
        float z = f.sz()[j / g][i][1];
        float expected = (f.u()[i][j] - 8) * s + z;
        assertEquals(expected, d[i * cols + j], "dequantized [" + i + ", " + j + "]");
        double tolerance = 4 * Math.ulp(Math.max(Math.abs(z), 16 * s));
        assertEquals(expected, m.get(i, j), tolerance, "kernel layout [" + i + ", " + j + "]");
      }
    }
  }

  @Test
  void savesTheCheckpointTensorsBackUnchangedWithTheLayersShape() {
    Fixture f = fixture(new Random(2), 16, 256, 8, 64);
    QuantizedWeight loaded =
        tilePacked(64).loadPrequantized(MODULE + ".weight", lookup(f)).withShape(13, 192);
    List<StoredTensor> stored = loaded.checkpointTensors();
    assertEquals(
        List.of("_weight_qdata", "_weight_scale_and_zero"),
        stored.stream().map(StoredTensor::suffix).toList());
    assertSame(f.qdata().data(), stored.get(0).data());
    assertEquals(f.qdata().shape(), stored.get(0).shape());
    assertSame(f.scaleAndZero().data(), stored.get(1).data());
    assertEquals(DType.BF16, stored.get(1).dtype());
    assertEquals(
        "{\"_type\": \"Int4TilePackedTo4dTensor\", \"_data\": {\"block_size\": [1, 64], \"shape\":"
            + " [13, 192]}, \"_tensor_data_names\": [\"qdata\", \"scale_and_zero\"]}",
        loaded.checkpointMetadata().orElseThrow());
  }

  @Test
  void quantizingIntoTheTilePackedLayoutIsNotSupportedYet() {
    float[] w = new float[8 * 128];
    MemorySegment seg = MemorySegment.ofArray(w);
    TensorView weight =
        new TensorView(MODULE + ".weight", DType.F32, Shape.of(8, 128), seg, MapLookup.MEMORY);
    NotSupportedException e =
        assertThrows(NotSupportedException.class, () -> tilePacked(64).quantize(weight));
    assertTrue(e.getMessage().contains("tile-packed"), e.getMessage());
  }

  @Test
  void badTensorsAreRefusedNamingTheTensor() {
    Fixture f = fixture(new Random(3), 16, 256, 8, 64);
    TorchAoQuantizer q = tilePacked(64);
    // the layer is larger than the padded weight
    QuantizedWeight loaded = q.loadPrequantized(MODULE + ".weight", lookup(f));
    FormatException big = assertThrows(FormatException.class, () -> loaded.withShape(17, 192));
    assertTrue(big.getMessage().contains("_weight_qdata"), big.getMessage());
    // the group size does not divide the layer's in_features
    assertThrows(FormatException.class, () -> loaded.withShape(16, 200));
    // qdata of the wrong dtype or rank
    TensorView bytes =
        new TensorView(
            f.qdata().name(), DType.I8, Shape.of(16, 128), f.qdata().data(), MapLookup.MEMORY);
    FormatException dtype =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    MODULE + ".weight",
                    lookup(new Fixture(f.u(), bytes, f.scaleAndZero(), f.sz()))));
    assertTrue(dtype.getMessage().contains("_weight_qdata"), dtype.getMessage());
    // scale_and_zero for other rows
    TensorView wrongRows =
        new TensorView(
            f.scaleAndZero().name(),
            DType.BF16,
            Shape.of(8, 8, 2),
            f.scaleAndZero().data(),
            MapLookup.MEMORY);
    FormatException sz =
        assertThrows(
            FormatException.class,
            () ->
                q.loadPrequantized(
                    MODULE + ".weight", lookup(new Fixture(f.u(), f.qdata(), wrongRows, f.sz()))));
    assertTrue(sz.getMessage().contains("_weight_scale_and_zero"), sz.getMessage());
    // a group size other than the config's
    assertThrows(
        FormatException.class,
        () -> tilePacked(128).loadPrequantized(MODULE + ".weight", lookup(f)));
  }

  @Test
  void paddedWeightStandsForTheWholeMatrixUntilShaped() {
    Fixture f = fixture(new Random(4), 16, 128, 8, 32);
    QuantizedWeight loaded = tilePacked(32).loadPrequantized(MODULE + ".weight", lookup(f));
    assertEquals(16, loaded.matrix().rows());
    assertEquals(128, loaded.matrix().cols());
    float[] d = loaded.dequantize();
    float[] expected = new float[16 * 128];
    for (int i = 0; i < 16; i++) {
      for (int j = 0; j < 128; j++) {
        expected[i * 128 + j] = (f.u()[i][j] - 8) * f.sz()[j / 32][i][0] + f.sz()[j / 32][i][1];
      }
    }
    assertArrayEquals(expected, d);
  }
}
