package dev.quant4j.quantizers.bnb;

/**
 * The scalar reference of LLM.int8() inference ({@code int8_mixed_scaled_mm}): input columns
 * holding any |x| >= threshold are outliers and are multiplied in floating point against the
 * dequantized weight columns; every other column goes through int8 x int8 with int32 accumulation,
 * each token row quantized by its own absmax. {@code threshold <= 0} disables the decomposition.
 */
public final class Int8OutlierMatmul {
  /** bitsandbytes' float32 stand-in for 1/127^2. */
  static final float MM_DEQUANT = 6.200124e-05f;

  private Int8OutlierMatmul() {}

  /**
   * {@code out[t, o] = sum_i x[t, i] * W[o, i] (+ bias[o])} for {@code x} of {@code tokens} rows of
   * {@code w.cols()} float16 activations (given as floats); {@code bias} may be null.
   */
  public static float[] matmul(
      float[] x, int tokens, BnbInt8Weight w, float threshold, float[] bias) {
    int in = w.cols();
    int outF = w.rows();
    if ((long) tokens * in != x.length || (bias != null && bias.length != outF)) {
      throw new IllegalArgumentException(
          "x must be [" + tokens + ", " + in + "], bias [" + outF + "]");
    }
    boolean[] outlier = outlierColumns(x, tokens, in, threshold);
    byte[] ca = new byte[x.length];
    float[] sca = new float[tokens];
    float[] row = new float[in];
    for (int t = 0; t < tokens; t++) {
      float max = 0f;
      for (int i = 0; i < in; i++) {
        // Outlier columns are zeroed before the row statistics, then left out entirely.
        row[i] = outlier[i] ? 0f : x[t * in + i];
        max = Math.max(max, Math.abs(row[i]));
      }
      sca[t] = max;
      BnbInt8Quantizer.quantizeRow(row, max, ca, t * in);
    }
    float[] out = new float[tokens * outF];
    for (int t = 0; t < tokens; t++) {
      for (int o = 0; o < outF; o++) {
        int acc = 0;
        float fp = 0f;
        for (int i = 0; i < in; i++) {
          if (outlier[i]) {
            fp += x[t * in + i] * ((w.code(o, i) * w.scb(o)) * BnbInt8Weight.INV_127);
          } else {
            acc += ca[t * in + i] * w.code(o, i);
          }
        }
        float v = acc * (sca[t] * w.scb(o)) * MM_DEQUANT;
        if (bias != null) {
          v += bias[o];
        }
        out[t * outF + o] = v + fp;
      }
    }
    return out;
  }

  static boolean[] outlierColumns(float[] x, int tokens, int in, float threshold) {
    boolean[] outlier = new boolean[in];
    if (threshold > 0f) {
      for (int t = 0; t < tokens; t++) {
        for (int i = 0; i < in; i++) {
          if (Math.abs(x[t * in + i]) >= threshold) {
            outlier[i] = true;
          }
        }
      }
    }
    return outlier;
  }
}
