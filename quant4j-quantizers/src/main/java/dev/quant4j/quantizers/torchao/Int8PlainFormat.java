package dev.quant4j.quantizers.torchao;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * torchao's {@code Int8Tensor} ({@code Int8WeightOnlyConfig}, {@code
 * Int8DynamicActivationInt8WeightConfig}, version 2): {@code qdata} int8 {@code [N, K]} and {@code
 * scale} float32 {@code [N, 1]} ({@code [1, 1]} per tensor), {@code W = q * scale}.
 *
 * <p>Quantization ({@code choose_qparams_affine} SYMMETRIC then {@code quantize_affine}): {@code
 * absmax = max(-min(min, 0), max(max, 0))}, {@code scale = max(absmax / 127.5, FLT_EPSILON)}
 * computed in the weight dtype then widened to float32, {@code q = clamp(round(x * (1 / scale)),
 * -128, 127)} (a multiply by the float32 reciprocal, not a division).
 *
 * <p>The kernels' codes are {@code q + 128} (the sign bit flipped) with zero 128, one group per
 * row: exact.
 */
final class Int8PlainFormat {
  static final String TYPE = "Int8Tensor";
  static final float EPS = Math.ulp(1f);

  private Int8PlainFormat() {}

  /**
   * @param codes {@code q + 128}, row-major
   * @param scale one per row (per-tensor weights repeat theirs)
   * @param perTensor whether the file holds one scale
   */
  record Parts(int rows, int cols, DType dtype, byte[] codes, float[] scale, boolean perTensor) {}

  static Parts quantize(float[] w, int rows, int cols, DType dtype, boolean perTensor) {
    byte[] codes = new byte[rows * cols];
    float[] scale = new float[rows];
    float tensorMax = 0f;
    for (int r = 0; r < rows; r++) {
      scale[r] = absmax(w, r * cols, cols);
      tensorMax = Math.max(tensorMax, scale[r]);
    }
    for (int r = 0; r < rows; r++) {
      float a = perTensor ? tensorMax : scale[r];
      float s = TensorBytes.roundTo(dtype, a / 127.5f);
      s = Math.max(s, TensorBytes.roundTo(dtype, EPS));
      scale[r] = s;
      float inv = 1f / s;
      for (int i = 0; i < cols; i++) {
        int q = (int) Math.clamp(Math.rint(w[r * cols + i] * inv), -128, 127);
        codes[r * cols + i] = (byte) (q + 128);
      }
    }
    return new Parts(rows, cols, dtype, codes, scale, perTensor);
  }

  private static float absmax(float[] x, int from, int n) {
    float min = 0f;
    float max = 0f;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, x[from + i]);
      max = Math.max(max, x[from + i]);
    }
    return Math.max(-min, max);
  }

  /** Reads {@code _weight_qdata} and {@code _weight_scale}; {@code dtype} is the model's. */
  static Parts read(Path file, TensorView qdata, TensorView scale, DType dtype) {
    long[] q = qdata.shape().dims();
    if (q.length != 2
        || q[0] <= 0
        || q[1] <= 0
        || q[0] * q[1] > Integer.MAX_VALUE - 8
        || qdata.dtype() != DType.I8) {
      throw new FormatException(
          file,
          qdata.name(),
          "int8 qdata must be I8 [out_features, in_features]",
          "I8, 2-D",
          qdata.dtype() + "" + qdata.shape());
    }
    int rows = (int) q[0];
    int cols = (int) q[1];
    if (!scale.dtype().isFloatingPoint() || (scale.numel() != rows && scale.numel() != 1)) {
      throw new FormatException(
          file,
          scale.name(),
          "int8 scale must hold one float per row or one in all",
          "[" + rows + ", 1] or [1, 1]",
          scale.dtype() + "" + scale.shape());
    }
    boolean perTensor = scale.numel() == 1 && rows != 1;
    float[] s = new float[rows];
    for (int r = 0; r < rows; r++) {
      s[r] = scale.getFloat(perTensor ? 0 : r);
      if (!Float.isFinite(s[r])) {
        throw new FormatException(
            file, scale.name() + "[" + r + "]", "int8 scale is not finite", "finite", s[r]);
      }
    }
    byte[] codes = qdata.data().toArray(ValueLayout.JAVA_BYTE);
    for (int i = 0; i < codes.length; i++) {
      codes[i] ^= (byte) 0x80;
    }
    return new Parts(rows, cols, dtype, codes, s, perTensor);
  }

  static GroupedIntMatrix matrix(Parts p, ActivationQuantizer activations) {
    float[] zeros = new float[p.rows()];
    Arrays.fill(zeros, 128f);
    return new GroupedIntMatrix(
        MemorySegment.ofArray(p.codes()).asReadOnly(),
        8,
        TensorBytes.f32(p.scale()),
        TensorBytes.f32(zeros),
        p.rows(),
        p.cols(),
        p.cols(),
        activations);
  }

  static float[] dequantize(Parts p) {
    float[] out = new float[p.rows() * p.cols()];
    for (int r = 0; r < p.rows(); r++) {
      for (int c = 0; c < p.cols(); c++) {
        out[r * p.cols() + c] = ((p.codes()[r * p.cols() + c] & 0xFF) - 128) * p.scale()[r];
      }
    }
    return out;
  }

  static List<StoredTensor> write(Parts p) {
    byte[] qdata = p.codes().clone();
    for (int i = 0; i < qdata.length; i++) {
      qdata[i] ^= (byte) 0x80;
    }
    float[] scale = p.perTensor() ? new float[] {p.scale()[0]} : p.scale();
    return List.of(
        new StoredTensor(
            "_weight_qdata",
            DType.I8,
            Shape.of(p.rows(), p.cols()),
            MemorySegment.ofArray(qdata).asReadOnly()),
        TensorBytes.floats("_weight_scale", DType.F32, Shape.of(scale.length, 1), scale));
  }

  /**
   * The metadata entry, as torchao's encoder writes an {@code Int8Tensor}: optional attributes
   * first ({@code act_quant_kwargs}: per-row symmetric for dynamic activations, else null), then
   * {@code block_size} and {@code dtype}.
   */
  static String metadata(Parts p, boolean dynamic) {
    String act =
        dynamic
            ? "{\"_type\": \"QuantizeTensorToInt8Kwargs\", \"_data\": {\"granularity\": {\"_type\": \"PerRow\", \"_data\": {\"dim\": -1}}, \"mapping_type\": {\"_type\": \"MappingType\", \"_data\": \"SYMMETRIC\"}}}"
            : "null";
    int blockRows = p.perTensor() ? p.rows() : 1;
    return "{\"_type\": \""
        + TYPE
        + "\", \"_data\": {\"act_quant_kwargs\": "
        + act
        + ", \"block_size\": ["
        + blockRows
        + ", "
        + p.cols()
        + "], \"dtype\": {\"_type\": \"torch.dtype\", \"_data\": \""
        + TensorBytes.torchName(p.dtype())
        + "\"}}, \"_tensor_data_names\": [\"qdata\", \"scale\"]}";
  }
}
