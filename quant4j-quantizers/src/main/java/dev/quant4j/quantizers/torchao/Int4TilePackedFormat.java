package dev.quant4j.quantizers.torchao;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * torchao's {@code Int4TilePackedTo4dTensor} ({@code int4_packing_format=TILE_PACKED_TO_4D}), the
 * layout of PyTorch's CUDA {@code _weight_int4pack_mm} (tinygemm) and so of int4 checkpoints made
 * on NVIDIA GPUs: {@code qdata} int32 {@code [N'/8, K'/(16 t), 32, t/2]} for {@code t} inner
 * k-tiles (8 by default), {@code scale_and_zero} {@code [K'/g, N', 2]} in the weight's dtype
 * ({@code [..., 0]} the scale, {@code [..., 1]} the float zero point); {@code N', K'} are the
 * weight's shape padded (to multiples of 8 and of 1024). Dequantization is that of the plain
 * layout, {@code W = (u - 8) * scale + zero}.
 *
 * <p>The packing, as {@code matrix_to_m16n8k16_Bint4_layout} in PyTorch's {@code int4mm.cu} writes
 * it from the bytes {@code b[n][j] = u[n][2j] << 4 | u[n][2j+1]}: word {@code [nt][ko][lane][i]}
 * serves row {@code n0 = 8 nt + lane / 4} and the bytes {@code ks = b0 + lane % 4 + {0, 4, 8, 12}}
 * with {@code b0 = (ko t + 2 i) * 8}; its nibble {@code j < 4} is the high nibble of byte {@code
 * ks[j]} and nibble {@code 4 + j} its low nibble. Reading inverts that; saving writes the
 * checkpoint's own tensors back unchanged.
 */
final class Int4TilePackedFormat {
  static final String TYPE = "Int4TilePackedTo4dTensor";

  private static final ValueLayout.OfInt I32_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private Int4TilePackedFormat() {}

  /**
   * A checkpoint's two tensors, checked, with the padded shape they describe.
   *
   * @param paddedRows {@code N'}
   * @param paddedCols {@code K'}
   * @param innerKTiles {@code t}
   */
  record Packed(
      Path file,
      TensorView qdata,
      TensorView scaleAndZero,
      int paddedRows,
      int paddedCols,
      int innerKTiles,
      int groupSize) {}

  static Packed read(Path file, TensorView qdata, TensorView scaleAndZero) {
    long[] q = qdata.shape().dims();
    boolean tiles = q.length == 4 && q[2] == 32 && (q[3] == 1 || q[3] == 2 || q[3] == 4);
    if (!tiles || qdata.dtype() != DType.I32 || q[0] <= 0 || q[1] <= 0) {
      throw new FormatException(
          file,
          qdata.name(),
          "tile-packed int4 qdata must be I32 [N/8, K/(16 t), 32, t/2] with t = 2, 4 or 8",
          "I32 [a, b, 32, 1|2|4]",
          qdata.dtype() + "" + qdata.shape());
    }
    int innerKTiles = (int) q[3] * 2;
    long paddedRows = q[0] * 8;
    long paddedCols = q[1] * 16 * innerKTiles;
    if (paddedRows * paddedCols > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          file, qdata.name(), "tile-packed int4 weight too large", "below 2^31 elements", q);
    }
    long[] s = scaleAndZero.shape().dims();
    if (s.length != 3
        || s[1] != paddedRows
        || s[2] != 2
        || s[0] <= 0
        || paddedCols % s[0] != 0
        || !scaleAndZero.dtype().isFloatingPoint()) {
      throw new FormatException(
          file,
          scaleAndZero.name(),
          "tile-packed int4 scale_and_zero must be floating point [K/g, N, 2]",
          "[K'/g, " + paddedRows + ", 2]",
          scaleAndZero.dtype() + "" + scaleAndZero.shape());
    }
    return new Packed(
        file,
        qdata,
        scaleAndZero,
        (int) paddedRows,
        (int) paddedCols,
        innerKTiles,
        (int) (paddedCols / s[0]));
  }

  /**
   * The top-left {@code rows x cols} of the padded weight as the plain layout's parts (kernel codes
   * {@code u}, low nibble first; scale and zero row-major per group).
   */
  static Int4PlainFormat.Parts unpack(Packed p, int rows, int cols) {
    if (rows <= 0 || cols <= 0 || rows > p.paddedRows() || cols > p.paddedCols()) {
      throw new FormatException(
          p.file(),
          p.qdata().name(),
          "tile-packed int4 weight smaller than the model's layer",
          "at least [" + rows + ", " + cols + "]",
          "[" + p.paddedRows() + ", " + p.paddedCols() + "]");
    }
    if (cols % p.groupSize() != 0) {
      throw new FormatException(
          p.file(),
          p.scaleAndZero().name(),
          "group size does not divide the layer's in_features",
          "a divisor of " + cols,
          p.groupSize());
    }
    byte[] codes = new byte[(int) ((long) rows * cols / 2 + (((long) rows * cols) & 1))];
    MemorySegment words = p.qdata().data();
    int t = p.innerKTiles();
    long kOuter = p.qdata().shape().dims()[1];
    long word = 0;
    for (int nt = 0; nt < p.paddedRows() / 8; nt++) {
      for (long ko = 0; ko < kOuter; ko++) {
        for (int lane = 0; lane < 32; lane++) {
          int n0 = 8 * nt + lane / 4;
          for (int i = 0; i < t / 2; i++, word++) {
            int packed = words.get(I32_LE, word * 4);
            if (n0 >= rows) {
              continue;
            }
            long b0 = (ko * t + 2L * i) * 8;
            for (int j = 0; j < 4; j++) {
              long byteIndex = b0 + lane % 4 + 4L * j;
              put(codes, n0, (int) (2 * byteIndex), cols, (packed >>> (4 * j)) & 0xF);
              put(codes, n0, (int) (2 * byteIndex + 1), cols, (packed >>> (16 + 4 * j)) & 0xF);
            }
          }
        }
      }
    }
    int groups = cols / p.groupSize();
    float[] scale = new float[rows * groups];
    float[] zero = new float[rows * groups];
    TensorView sz = p.scaleAndZero();
    for (int r = 0; r < rows; r++) {
      for (int g = 0; g < groups; g++) {
        long at = ((long) g * p.paddedRows() + r) * 2;
        float sg = sz.getFloat(at);
        float zg = sz.getFloat(at + 1);
        if (!Float.isFinite(sg) || sg == 0f || !Float.isFinite(zg)) {
          throw new FormatException(
              p.file(),
              sz.name() + "[" + g + ", " + r + "]",
              "int4 scale must be finite and non-zero, zero point finite",
              "finite, scale != 0",
              sg + ", " + zg);
        }
        scale[r * groups + g] = sg;
        zero[r * groups + g] = zg;
      }
    }
    return new Int4PlainFormat.Parts(rows, cols, p.groupSize(), sz.dtype(), codes, scale, zero);
  }

  private static void put(byte[] codes, int row, int col, int cols, int u) {
    if (col < cols) {
      int j = row * cols + col;
      codes[j >>> 1] |= (byte) (u << ((j & 1) * 4));
    }
  }

  /** The checkpoint's own tensors, written back as they were read. */
  static List<StoredTensor> write(Packed p) {
    return List.of(
        new StoredTensor("_weight_qdata", p.qdata().dtype(), p.qdata().shape(), p.qdata().data()),
        new StoredTensor(
            "_weight_scale_and_zero",
            p.scaleAndZero().dtype(),
            p.scaleAndZero().shape(),
            p.scaleAndZero().data()));
  }

  /** The metadata entry of a {@code rows x cols} weight, as torchao writes it. */
  static String metadata(Packed p, int rows, int cols) {
    return "{\"_type\": \""
        + TYPE
        + "\", \"_data\": {\"block_size\": [1, "
        + p.groupSize()
        + "], \"shape\": ["
        + rows
        + ", "
        + cols
        + "]}, \"_tensor_data_names\": [\"qdata\", \"scale_and_zero\"]}";
  }
}
