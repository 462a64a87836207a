package dev.quant4j.kernels;

/**
 * The arithmetic of a transformer forward pass, in float32. Two implementations: a scalar reference
 * ({@code scalar.ScalarBackend}) and a Vector API one ({@code panama.PanamaBackend}); obtain the
 * one chosen for this JVM from {@link Kernels#backend()}.
 *
 * <p>Arrays are addressed as {@code (array, offset, length)}; matrices of activations are row-major
 * with one row per token. Implementations are stateless and thread-safe. Results of the two
 * backends agree within float rounding of a different summation order (bounds are stated in the
 * conformance tests); element-wise operations without reductions agree exactly, except where an
 * {@code exp} is involved (a few ulps).
 */
public interface KernelBackend {

  /** "scalar" or "panama-&lt;bits&gt;". */
  String name();

  // ---- matrices ------------------------------------------------------------------------------

  /**
   * {@code out[t][r] = sum_c x[t][c] * W[r][c]} for {@code t < tokens}, over all rows, on the
   * calling thread. See {@link #matmul(WeightMatrix, float[], int, int, float[], int, Parallelism)}
   * to spread rows over a pool.
   */
  default void matmul(WeightMatrix w, float[] x, int xOff, int tokens, float[] out, int outOff) {
    Shapes.requireMatmul(w, x, xOff, tokens, out, outOff);
    matmulRows(w, x, xOff, tokens, out, outOff, 0, w.rows());
  }

  /**
   * As {@link #matmul(WeightMatrix, float[], int, int, float[], int)}, splitting output rows over
   * {@code pool}; matrices too small to pay for the hand-off run on the calling thread. {@code
   * tokens == 1} is the decode-time gemv and allocates nothing.
   */
  default void matmul(
      WeightMatrix w, float[] x, int xOff, int tokens, float[] out, int outOff, Parallelism pool) {
    Shapes.requireMatmul(w, x, xOff, tokens, out, outOff);
    pool.matmul(this, w, x, xOff, tokens, out, outOff);
  }

  /**
   * The input of one matmul made ready for one weight layout: activations quantized, reordered or
   * summed as that layout's kernels read them, so that work is done once per matmul rather than
   * once per range of rows. Made by {@link #prepare} on the calling thread, then read by every
   * thread computing rows of that matmul; it stays valid until the same thread prepares again.
   */
  interface PreparedInput {
    /** The weight it was prepared for. */
    WeightMatrix weight();

    /** Token rows of the input. */
    int tokens();
  }

  /**
   * Prepares {@code tokens} rows of {@code x} from {@code xOff} for {@code w}; the caller must not
   * change them until the rows have been computed. Callers have validated the ranges ({@link
   * Shapes#requireMatmul}).
   */
  PreparedInput prepare(WeightMatrix w, float[] x, int xOff, int tokens);

  /**
   * The unchecked worker of {@code matmul}: computes output rows {@code [rowFrom, rowTo)} for all
   * tokens of an input this backend prepared. Any thread may call it, concurrently for disjoint
   * rows, while the preparing thread waits for them.
   */
  void matmulRows(PreparedInput in, float[] out, int outOff, int rowFrom, int rowTo);

  /** {@link #prepare}, then {@link #matmulRows(PreparedInput, float[], int, int, int)}. */
  default void matmulRows(
      WeightMatrix w,
      float[] x,
      int xOff,
      int tokens,
      float[] out,
      int outOff,
      int rowFrom,
      int rowTo) {
    matmulRows(prepare(w, x, xOff, tokens), out, outOff, rowFrom, rowTo);
  }

  /**
   * Widens {@code count} consecutive elements of {@code m}, starting at flat element {@code
   * element} ({@code row * cols + col}), into {@code dst}; e.g. an embedding row.
   */
  void toFloat(DenseMatrix m, long element, float[] dst, int dstOff, int count);

  // ---- vectors -------------------------------------------------------------------------------

  /** {@code sum_i a[i] * b[i]}, accumulated in float. */
  float dot(float[] a, int aOff, float[] b, int bOff, int n);

  /** {@code y[i] += alpha * x[i]} (multiply, then add: no fused rounding). */
  void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

  /** {@code y[i] += x[i]}, e.g. a residual connection. */
  void addInPlace(float[] y, int yOff, float[] x, int xOff, int n);

  /** {@code x[i] *= factor}. */
  void scale(float[] x, int off, int n, float factor);

  /**
   * LlamaRMSNorm in float32: {@code out[i] = weight[i] * (x[i] * rsqrt(mean(x^2) + eps))}. {@code
   * out} may be {@code x}.
   */
  void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, float[] weight, int wOff, int n, float eps);

  /**
   * As the array form, with the weight read from row {@code row} of {@code weight} ({@code n =
   * weight.cols()}).
   */
  void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, DenseMatrix weight, int row, float eps);

  /** In-place softmax over {@code x[off, off + n)}, subtracting the maximum first. */
  void softmax(float[] x, int off, int n);

  /** In-place {@code x[i] = x[i] / (1 + exp(-x[i]))}. */
  void silu(float[] x, int off, int n);

  /**
   * {@code out[i] = silu(gate[i]) * up[i]}, Llama's MLP activation; {@code out} may be {@code
   * gate}.
   */
  void swiglu(float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int n);

  /**
   * Rotary embedding, transformers' rotate-half form, in place on {@code heads} consecutive heads
   * of {@code headDim} values starting at {@code off}: for {@code i < headDim / 2}, with {@code h =
   * headDim / 2}, {@code x[i], x[i+h] = x[i]*cos[i] - x[i+h]*sin[i], x[i+h]*cos[i] + x[i]*sin[i]}.
   * {@code cos} and {@code sin} hold the {@code h} distinct values of one position from {@code
   * tableOff} (transformers repeats them to length {@code headDim}).
   */
  void rope(float[] x, int off, int heads, int headDim, float[] cos, float[] sin, int tableOff);
}
