package dev.quant4j.quantizers.quanto;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;

/**
 * optimum-quanto's weight quantization ({@code quantize_weight} with its default optimizers, axis
 * 0), every op rounded to the weight dtype as torch computes it on CPU:
 *
 * <ul>
 *   <li>qint8 ({@code AbsmaxOptimizer}): {@code scale = amax|W[r,:]| / 127}, {@code q =
 *       clamp(round(W / scale), -128, 127)};
 *   <li>qfloat8: {@code scale = amax|W[r,:]| / 448}, {@code q = e4m3(clamp(W / scale, -448, 448))}
 *       (round to nearest even, no integer rounding);
 *   <li>qint4/qint2 ({@code MaxOptimizer}, affine, float shift): per group {@code scale = (max -
 *       min) / (2^b - 1)}, {@code shift = -min}, {@code q = clamp(round((w + shift) / scale), 0,
 *       2^b - 1)}.
 * </ul>
 *
 * A zero scale (an all-zero row, a constant group) makes torch divide 0 by 0 and cast NaN to an
 * integer, which x86 turns into code 0; quant4j writes 0 as well, so such weights dequantize to
 * their constant. {@code round} is half to even, as {@code torch.round}.
 */
final class QuantoWeightQuantizer {
  private QuantoWeightQuantizer() {}

  /**
   * Quantizes the row-major {@code [rows, cols]} weight in {@code w} (values already exact in
   * {@code dtype}).
   */
  static QuantoLinear quantize(
      QuantoQtype qtype, WeightDtype dtype, float[] w, int rows, int cols) {
    return quantize(qtype, null, dtype, w, rows, cols);
  }

  /**
   * As {@link #quantize(QuantoQtype, WeightDtype, float[], int, int)} for a module whose
   * activations are quantized to {@code activations} (null: none). Without calibration quanto
   * leaves {@code input_scale} and {@code output_scale} at their initial 1.0 ({@code
   * QModuleMixin.from_module}), and so does quant4j.
   */
  static QuantoLinear quantize(
      QuantoQtype qtype,
      QuantoQtype activations,
      WeightDtype dtype,
      float[] w,
      int rows,
      int cols) {
    StoredTensor one = unitScale(dtype);
    return switch (qtype) {
      case QINT8, QFLOAT8 -> symmetric(qtype, activations, dtype, w, rows, cols, one);
      case QINT4, QINT2 -> affine(qtype, activations, dtype, w, rows, cols, one);
    };
  }

  private static QuantoLinear symmetric(
      QuantoQtype qtype,
      QuantoQtype activations,
      WeightDtype dtype,
      float[] w,
      int rows,
      int cols,
      StoredTensor one) {
    boolean fp8 = qtype == QuantoQtype.QFLOAT8;
    float qmax = fp8 ? 448f : 127f;
    byte[] codes = new byte[rows * cols];
    float[] scale = new float[rows];
    for (int r = 0; r < rows; r++) {
      float amax = 0f;
      for (int c = 0; c < cols; c++) {
        amax = Math.max(amax, Math.abs(w[r * cols + c]));
      }
      float s = dtype.round(amax / qmax);
      scale[r] = s;
      for (int c = 0; c < cols; c++) {
        int i = r * cols + c;
        float x = dtype.round(w[i] / s);
        if (Float.isNaN(x)) {
          codes[i] = 0;
        } else if (fp8) {
          codes[i] = FloatConversions.floatToE4M3Saturating(Math.clamp(x, -448f, 448f));
        } else {
          codes[i] = (byte) Math.clamp(Math.rint(x), -128f, 127f);
        }
      }
    }
    return new QuantoLinear(
        qtype, dtype, rows, cols, 0, codes, scale, null, null, one, one, activations);
  }

  private static QuantoLinear affine(
      QuantoQtype qtype,
      QuantoQtype activations,
      WeightDtype dtype,
      float[] w,
      int rows,
      int cols,
      StoredTensor one) {
    int groupSize = QuantoQtype.groupSize(cols);
    int gs = groupSize == 0 ? cols : groupSize;
    int groups = rows * (cols / gs);
    int maxCode = (1 << qtype.bits()) - 1;
    // packed straight away: a one-a-byte copy would be as large again as the packed weight
    byte[] packed = QuantoLinear.newPacked(rows * cols, qtype.bits());
    float[] scale = new float[groups];
    float[] shift = new float[groups];
    // With bf16 weights, quanto hands qint4 weights grouped by 128 to its tinygemm layout, which
    // keeps min + 8 * scale instead of the shift; converting back when saving (and when
    // dequantizing) rounds the shift twice in bf16 (tinygemm/qbits.py).
    boolean tinygemm = qtype == QuantoQtype.QINT4 && dtype == WeightDtype.BF16 && groupSize == 128;
    for (int g = 0; g < groups; g++) {
      int from = g * gs; // grouping along axis 0 is a reshape: groups are consecutive elements
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = from; i < from + gs; i++) {
        min = Math.min(min, w[i]);
        max = Math.max(max, w[i]);
      }
      float s = dtype.round(dtype.round(max - min) / maxCode);
      float sh = -min;
      scale[g] = s;
      for (int i = from; i < from + gs; i++) {
        float x = dtype.round(dtype.round(w[i] + sh) / s);
        int code = Float.isNaN(x) ? 0 : (int) Math.clamp(Math.rint(x), 0f, maxCode);
        QuantoLinear.putPacked(packed, i, code, qtype.bits());
      }
      if (tinygemm) {
        float half = dtype.round(8f * s);
        sh = dtype.round(half - dtype.round(-sh + half));
      }
      shift[g] = sh;
    }
    return QuantoLinear.ofPacked(
        qtype,
        dtype,
        rows,
        cols,
        groupSize,
        packed,
        scale,
        shift,
        dtype.dtype(),
        one,
        one,
        activations);
  }

  /** The {@code input_scale}/{@code output_scale} of an uncalibrated module: 1.0, 0-d. */
  static StoredTensor unitScale(WeightDtype dtype) {
    return new StoredTensor(
        "",
        dtype.dtype(),
        Shape.of(new long[0]),
        MemorySegment.ofArray(dtype.encode(new float[] {1f})));
  }
}
