package dev.quant4j.kernels;

/**
 * The exact arithmetic of {@link ActivationPrecision#INT8}: how a token row of activations is
 * quantized, and the reference dot products of the two layouts that use it. The Panama kernels
 * reproduce the quantization bit for bit and the dot products up to the order in which the float
 * per-chunk terms are summed.
 *
 * <p>A row of {@code n} activations splits into chunks of {@link #CHUNK} consecutive elements (the
 * last one shorter when {@code n} is not a multiple). For each chunk, in float32: {@code amax =
 * max|x|}, {@code d = amax / 127}, {@code inv = amax == 0 ? 0 : 127 / amax}, {@code q = rint(x *
 * inv)} (round half to even), so {@code |q| <= 127} and {@code x ~ q * d}. Activations must be
 * finite.
 *
 * <p>A dot product sums, in float, one term per run of elements sharing a chunk and a weight scale:
 * {@code (float) isum * (d * s)}, where {@code isum} is the exact integer sum of {@code q * code}
 * over the run and {@code s} the weight's scale (int8 rows: 1, the row factor applied to the whole
 * sum afterwards; 4-bit: {@code absmax * codebook step}).
 */
public final class Int8Activations {
  /** Activations per quantization chunk (llama.cpp's Q8_0 block). */
  public static final int CHUNK = 32;

  private Int8Activations() {}

  /** Chunks of a row of {@code n} activations. */
  public static int chunks(int n) {
    return (n + CHUNK - 1) / CHUNK;
  }

  /**
   * Quantizes {@code x[xOff, xOff + n)} into {@code q[qOff, qOff + n)} (element order) and the
   * chunk scales {@code d} into {@code scales[sOff, sOff + chunks(n))}.
   */
  public static void quantize(
      float[] x, int xOff, int n, short[] q, int qOff, float[] scales, int sOff) {
    for (int c0 = 0, k = 0; c0 < n; c0 += CHUNK, k++) {
      int end = Math.min(n, c0 + CHUNK);
      float amax = 0f;
      for (int c = c0; c < end; c++) {
        amax = Math.max(amax, Math.abs(x[xOff + c]));
      }
      float inv = inverse(amax);
      for (int c = c0; c < end; c++) {
        q[qOff + c] = (short) Math.rint(x[xOff + c] * inv);
      }
      scales[sOff + k] = amax / 127f;
    }
  }

  /** {@code 127 / amax}, or 0 for an all-zero chunk. */
  public static float inverse(float amax) {
    return amax == 0f ? 0f : 127f / amax;
  }

  /**
   * {@code tokens} rows of {@code cols} activations from {@code x[xOff]} replaced by their
   * quantized values {@code q * d} in float, into {@code dst[0, tokens * cols)}: the input a float
   * kernel multiplies to reproduce the integer path up to float rounding (prefill).
   */
  public static void fakeQuantize(float[] x, int xOff, int tokens, int cols, float[] dst) {
    for (int t = 0; t < tokens; t++) {
      int off = xOff + t * cols;
      for (int c0 = 0; c0 < cols; c0 += CHUNK) {
        int end = Math.min(cols, c0 + CHUNK);
        float amax = 0f;
        for (int c = c0; c < end; c++) {
          amax = Math.max(amax, Math.abs(x[off + c]));
        }
        float inv = inverse(amax);
        float d = amax / 127f;
        for (int c = c0; c < end; c++) {
          dst[t * cols + c] = (float) Math.rint(x[off + c] * inv) * d;
        }
      }
    }
  }

  /**
   * Reference: {@code sum_k (float) isum_k * d_k} over the chunks of row {@code row}, unscaled by
   * the row factor; {@code q, scales} from {@link #quantize} of one token.
   */
  public static float int8Dot(
      Int8RowMatrix w, int row, short[] q, int qOff, float[] scales, int sOff) {
    int cols = w.cols();
    float sum = 0f;
    for (int c0 = 0, k = 0; c0 < cols; c0 += CHUNK, k++) {
      int isum = 0;
      for (int c = c0, end = Math.min(cols, c0 + CHUNK); c < end; c++) {
        isum += w.code(row, c) * q[qOff + c];
      }
      sum += (float) isum * scales[sOff + k];
    }
    return sum;
  }

  /**
   * Reference: row {@code row} of a 4-bit matrix against quantized activations, one term per run of
   * elements sharing a chunk and an absmax block: {@code (float) isum * (d_k * (absmax_b * step))}
   * with the int8 codebook codes of {@link Codebook#int8Codes()}.
   */
  public static float packed4Dot(
      Packed4BitMatrix w, int row, short[] q, int qOff, float[] scales, int sOff) {
    int cols = w.cols();
    int blockSize = w.blockSize();
    Codebook book = w.codebook();
    float step = w.codebook().int8Step();
    long first = (long) row * cols;
    float sum = 0f;
    int isum = 0;
    for (int c = 0; c < cols; c++) {
      long e = first + c;
      isum += book.int8Code(w.code(e)) * q[qOff + c];
      boolean runEnds = c + 1 == cols || (c + 1) % CHUNK == 0 || (e + 1) % blockSize == 0;
      if (runEnds) {
        sum += (float) isum * (scales[sOff + c / CHUNK] * (w.absmax(e / blockSize) * step));
        isum = 0;
      }
    }
    return sum;
  }
}
