package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.FloatConversions;

/**
 * Round-to-nearest quantization of a weight as llm-compressor's min/max observer and
 * compressed-tensors' {@code calculate_qparams} and {@code quantize} do it, every operation rounded
 * to the weight's dtype as torch rounds it:
 *
 * <pre>
 * min = min(min(block), 0); max = max(max(block), 0)
 * symmetric:  scale = r(max(|min|, |max|) / ((qmax - qmin) / 2))     int4: / 7.5, int8: / 127.5, fp8: / 448
 * asymmetric: scale = r(r(max - min) / (qmax - qmin)); zp = round(clamp(r(qmin - r(min / scale)), qmin, qmax))
 * scale == 0 -> eps of the dtype (bf16: 2^-7)
 * int: q = round(clamp(r(r(x / scale) + zp), qmin, qmax))      fp8: q = e4m3(clamp(r(x / scale), -448, 448))
 * </pre>
 *
 * where {@code r} rounds to the dtype and {@code round} is half to even.
 */
final class MinMaxQuantization {
  static final float FP8_MAX = 448f;

  private MinMaxQuantization() {}

  /**
   * Scales and (asymmetric only) zero points of {@code w}.
   *
   * @param isFloat fp8 (symmetric only) rather than int
   */
  static QParams qparams(
      float[] w, ScaleGrid grid, int bits, boolean isFloat, boolean symmetric, ScaleDtype dt) {
    int n = grid.count();
    float[] min = new float[n]; // starting at 0 is min(min, 0) / max(max, 0)
    float[] max = new float[n];
    int rows = grid.rows();
    int cols = grid.cols();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int g = grid.index(r, c);
        float v = w[r * cols + c];
        if (v < min[g]) {
          min[g] = v;
        }
        if (v > max[g]) {
          max[g] = v;
        }
      }
    }
    float qmin = isFloat ? -FP8_MAX : -(1 << (bits - 1));
    float qmax = isFloat ? FP8_MAX : (1 << (bits - 1)) - 1;
    float[] scales = new float[n];
    int[] zeros = symmetric ? null : new int[n];
    for (int g = 0; g < n; g++) {
      float scale;
      if (symmetric) {
        float absmax = Math.max(Math.abs(min[g]), Math.abs(max[g]));
        scale = dt.round(absmax / ((qmax - qmin) / 2));
      } else {
        scale = dt.round(dt.round(max[g] - min[g]) / (qmax - qmin));
        float zp = dt.round(qmin - dt.round(min[g] / scale));
        // An all-zero block gives 0/0: torch's NaN zero point becomes 0 in the int8 cast.
        zeros[g] = Float.isNaN(zp) ? 0 : (int) Math.rint(Math.clamp(zp, qmin, qmax));
      }
      scales[g] = scale == 0f ? dt.eps() : scale;
    }
    return new QParams(scales, zeros);
  }

  /** Signed int codes of {@code w}, one per byte, row-major. */
  static byte[] intCodes(float[] w, ScaleGrid grid, QParams qp, int bits, ScaleDtype dt) {
    float qmin = -(1 << (bits - 1));
    float qmax = (1 << (bits - 1)) - 1;
    int cols = grid.cols();
    byte[] q = new byte[grid.rows() * cols];
    for (int r = 0; r < grid.rows(); r++) {
      for (int c = 0; c < cols; c++) {
        int g = grid.index(r, c);
        float t = dt.round(w[r * cols + c] / qp.scales()[g]);
        if (qp.zeros() != null) {
          t = dt.round(t + qp.zeros()[g]);
        }
        q[r * cols + c] = (byte) Math.rint(Math.clamp(t, qmin, qmax));
      }
    }
    return q;
  }

  /** FP8 e4m3 codes of {@code w}, row-major. */
  static byte[] fp8Codes(float[] w, ScaleGrid grid, QParams qp, ScaleDtype dt) {
    int cols = grid.cols();
    byte[] q = new byte[grid.rows() * cols];
    for (int r = 0; r < grid.rows(); r++) {
      for (int c = 0; c < cols; c++) {
        float t = dt.round(w[r * cols + c] / qp.scales()[grid.index(r, c)]);
        q[r * cols + c] = FloatConversions.floatToE4M3Saturating(Math.clamp(t, -FP8_MAX, FP8_MAX));
      }
    }
    return q;
  }

  /**
   * Scales (already in the scale dtype) and integer zero points over a {@link ScaleGrid}.
   *
   * @param zeros null when symmetric
   */
  record QParams(float[] scales, int[] zeros) {}
}
