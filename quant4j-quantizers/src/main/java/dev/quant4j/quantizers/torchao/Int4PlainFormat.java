package dev.quant4j.quantizers.torchao;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * torchao's plain {@code Int4Tensor} ({@code Int4WeightOnlyConfig(int4_packing_format=PLAIN)}):
 * {@code qdata} int8 {@code [N, K/2]}, byte {@code j} of a row holding signed int4 {@code q[2j]} in
 * its low nibble and {@code q[2j+1]} in its high one; {@code scale} and {@code zero_point} {@code
 * [K/g, N]} (transposed) in the weight's dtype; {@code W = q * scale + zero_point}, the zero point
 * in the float domain.
 *
 * <p>Quantization is FBGEMM's {@code int4_row_quantize_zp} in float32: per group {@code s = max(max
 * - min, 1e-6) / 15}, {@code z = min + 8 s}, {@code u = clamp(round((x - min) / s), 0, 15)}, {@code
 * q = u - 8}; {@code s} and {@code z} are then cast to the weight dtype.
 *
 * <p>The kernels' unsigned codes are {@code u = q + 8}, the nibbles with their top bit flipped;
 * their zero is {@code 8 - z / s}, which rounds once in float32 (see {@link #kernelZero}).
 */
final class Int4PlainFormat {
  static final String TYPE = "Int4Tensor";

  private Int4PlainFormat() {}

  /** A quantized weight: kernel codes, and scale and zero point rounded to the weight dtype. */
  record Parts(
      int rows, int cols, int groupSize, DType dtype, byte[] codes, float[] scale, float[] zero) {
    /** Groups per row. */
    int groups() {
      return cols / groupSize;
    }
  }

  static Parts quantize(String name, float[] w, int rows, int cols, int groupSize, DType dtype) {
    int groups = cols / groupSize;
    byte[] codes = new byte[rows * cols / 2];
    float[] scale = new float[rows * groups];
    float[] zero = new float[rows * groups];
    for (int r = 0; r < rows; r++) {
      for (int g = 0; g < groups; g++) {
        int from = r * cols + g * groupSize;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < groupSize; i++) {
          min = Math.min(min, w[from + i]);
          max = Math.max(max, w[from + i]);
        }
        float s = Math.max(max - min, 1e-6f) / 15f;
        float z = min + s * 8f;
        for (int i = 0; i < groupSize; i++) {
          int u = (int) Math.clamp(Math.rint((w[from + i] - min) / s), 0, 15);
          int j = from + i;
          codes[j >>> 1] |= (byte) (u << ((j & 1) * 4));
        }
        scale[r * groups + g] = TensorBytes.roundTo(dtype, s);
        zero[r * groups + g] = TensorBytes.roundTo(dtype, z);
      }
    }
    return new Parts(rows, cols, groupSize, dtype, codes, scale, zero);
  }

  /** Reads a module's {@code _weight_qdata}, {@code _weight_scale}, {@code _weight_zero_point}. */
  static Parts read(Path file, TensorView qdata, TensorView scale, TensorView zero) {
    long[] q = qdata.shape().dims();
    if (q.length != 2 || q[0] <= 0 || q[1] <= 0 || q[0] * q[1] * 2 > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          file,
          qdata.name(),
          "int4 qdata must be [out_features, in_features / 2]",
          "2-D",
          qdata.shape());
    }
    if (qdata.dtype() != DType.I8 && qdata.dtype() != DType.U8) {
      throw new FormatException(
          file, qdata.name(), "int4 qdata holds bytes", "I8 or U8", qdata.dtype());
    }
    int rows = (int) q[0];
    int cols = (int) q[1] * 2;
    long[] s = scale.shape().dims();
    if (s.length != 2 || s[1] != rows || s[0] <= 0 || cols % s[0] != 0) {
      throw new FormatException(
          file,
          scale.name(),
          "int4 scale must be [in_features / group_size, out_features]",
          "[K/g, " + rows + "]",
          scale.shape());
    }
    int groups = (int) s[0];
    int groupSize = cols / groups;
    if (!zero.shape().equals(scale.shape())
        || !scale.dtype().isFloatingPoint()
        || zero.dtype() != scale.dtype()) {
      throw new FormatException(
          file,
          zero.name(),
          "int4 zero_point must match scale",
          scale.dtype() + "" + scale.shape(),
          zero.dtype() + "" + zero.shape());
    }
    float[] st = transpose(scale.toFloatArray(), groups, rows);
    float[] zt = transpose(zero.toFloatArray(), groups, rows);
    for (int i = 0; i < st.length; i++) {
      if (!Float.isFinite(st[i]) || st[i] == 0f || !Float.isFinite(zt[i])) {
        throw new FormatException(
            file,
            scale.name() + "[" + (i % groups) + ", " + (i / groups) + "]",
            "int4 scale must be finite and non-zero, zero_point finite",
            "finite, scale != 0",
            st[i] + ", " + zt[i]);
      }
    }
    byte[] codes = qdata.data().toArray(ValueLayout.JAVA_BYTE);
    for (int i = 0; i < codes.length; i++) {
      codes[i] ^= (byte) 0x88;
    }
    return new Parts(rows, cols, groupSize, scale.dtype(), codes, st, zt);
  }

  /** {@code [a][b]} to {@code [b][a]}. */
  private static float[] transpose(float[] v, int a, int b) {
    float[] out = new float[v.length];
    for (int i = 0; i < a; i++) {
      for (int j = 0; j < b; j++) {
        out[j * a + i] = v[i * b + j];
      }
    }
    return out;
  }

  /**
   * The kernels' zero for scale {@code s} and float zero point {@code z}: {@code (u - 8) s + z = (u
   * - (8 - z / s)) s}. Rounding {@code z / s} and the difference to float32 moves a dequantized
   * value by at most a few ulps of {@code max(|z|, 16 |s|)}.
   */
  static float kernelZero(float s, float z) {
    return 8f - z / s;
  }

  static GroupedIntMatrix matrix(Parts p) {
    float[] zeros = new float[p.scale().length];
    for (int i = 0; i < zeros.length; i++) {
      zeros[i] = kernelZero(p.scale()[i], p.zero()[i]);
    }
    return new GroupedIntMatrix(
        MemorySegment.ofArray(p.codes()).asReadOnly(),
        4,
        TensorBytes.f32(p.scale()),
        TensorBytes.f32(zeros),
        p.rows(),
        p.cols(),
        p.groupSize());
  }

  /** torchao's dequantization {@code (u - 8) * scale + zero_point}, in float32, row-major. */
  static float[] dequantize(Parts p) {
    float[] out = new float[p.rows() * p.cols()];
    int groups = p.groups();
    for (int r = 0; r < p.rows(); r++) {
      for (int c = 0; c < p.cols(); c++) {
        int j = r * p.cols() + c;
        int u = (p.codes()[j >>> 1] >>> ((j & 1) * 4)) & 0xF;
        int g = r * groups + c / p.groupSize();
        out[j] = (u - 8) * p.scale()[g] + p.zero()[g];
      }
    }
    return out;
  }

  /** The flattened components, in the order torchao writes them. */
  static List<StoredTensor> write(Parts p) {
    byte[] qdata = p.codes().clone();
    for (int i = 0; i < qdata.length; i++) {
      qdata[i] ^= (byte) 0x88;
    }
    Shape sz = Shape.of(p.groups(), p.rows());
    return List.of(
        new StoredTensor(
            "_weight_qdata",
            DType.I8,
            Shape.of(p.rows(), p.cols() / 2),
            MemorySegment.ofArray(qdata).asReadOnly()),
        TensorBytes.floats(
            "_weight_scale", p.dtype(), sz, transpose(p.scale(), p.rows(), p.groups())),
        TensorBytes.floats(
            "_weight_zero_point", p.dtype(), sz, transpose(p.zero(), p.rows(), p.groups())));
  }

  /**
   * The metadata entry of the weight, as torchao's {@code TensorSubclassAttributeJSONEncoder}
   * writes it.
   */
  static String metadata(Parts p) {
    return "{\"_type\": \""
        + TYPE
        + "\", \"_data\": {\"block_size\": [1, "
        + p.groupSize()
        + "], \"shape\": ["
        + p.rows()
        + ", "
        + p.cols()
        + "]}, \"_tensor_data_names\": [\"qdata\", \"scale\", \"zero_point\"]}";
  }
}
