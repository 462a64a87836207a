package dev.quant4j.kernels.panama;

import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.WeightMatrix;

/**
 * The Vector API backend at one width. Element-wise work lives in {@link VectorOps}, row dot
 * products in {@link DenseKernels}, {@link QuantKernels} and {@link Packed4Kernels}; this class
 * routes a matmul: gemv (one token) streams each weight row once through registers, gemm decodes a
 * few rows at a time to a per-thread scratch (each weight row is read once per call) and multiplies
 * them against the tokens with a two-rows-by-four-tokens register block.
 */
final class PanamaBackend implements KernelBackend {
  /** Rows decoded together in gemm: a few KiB each, so they stay in L1/L2 for all the tokens. */
  private static final int GEMM_ROWS = 8;

  private final Lanes lanes;
  private final VectorOps ops;
  private final Int8ActivationKernels int8Activations;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final ThreadLocal<PanamaInput> inputs = ThreadLocal.withInitial(PanamaInput::new);

  /** Per-thread buffers, grown on demand and kept: decode-time calls allocate nothing. */
  private static final class Scratch {
    float[] rows = new float[0];

    float[] rows(int size) {
      if (rows.length < size) {
        rows = new float[size];
      }
      return rows;
    }
  }

  PanamaBackend(int bits) {
    this.lanes = Lanes.of(bits);
    this.ops = new VectorOps(lanes);
    this.int8Activations = new Int8ActivationKernels(bits);
  }

  @Override
  public String name() {
    return "panama-" + lanes.bits();
  }

  /**
   * Everything about the input that all rows share, done once per matmul on the calling thread: the
   * layout's activation quantizer, int8 quantization (gemv) or fake quantization (prefill) of
   * int8-activation layouts, and the reordering the 4-bit and grouped kernels read.
   */
  @Override
  public PreparedInput prepare(WeightMatrix w, float[] x, int xOff, int tokens) {
    PanamaInput in = inputs.get();
    in.start(w, tokens);
    int cols = w.cols();
    ActivationQuantizer activations = w.activations();
    if (activations != ActivationQuantizer.NONE) {
      float[] quantized = in.activations(tokens * cols);
      activations.apply(x, xOff, tokens, cols, quantized);
      x = quantized;
      xOff = 0;
    }
    if (Int8ActivationKernels.applies(w)) {
      if (tokens == 1) {
        int8Activations.prepareGemv(w, x, xOff, in);
        return in;
      }
      float[] fake = in.fake(tokens * cols);
      int8Activations.fakeQuantize(x, xOff, tokens, cols, fake);
      x = fake;
      xOff = 0;
      in.kernel = Int8ActivationKernels.floatTwin(w);
    }
    switch (in.kernel) {
      case Packed4BitMatrix q when Packed4Kernels.vectorizable(lanes, q) -> {
        // The 4-bit kernels read x in the order the nibbles unpack (see Packed4Kernels).
        float[] split = in.reordered(tokens * cols);
        Packed4Kernels.splitPairs(lanes, x, xOff, cols, tokens, split);
        in.input(split, 0);
      }
      case GroupedIntMatrix q when GroupedKernels.vectorizable(lanes, q) -> {
        // The kernels read x in the order the codes unpack, plus its group sums for the gemv.
        boolean gemv = tokens == 1;
        float[] xs = in.reordered(GroupedKernels.preparedSize(q, tokens, gemv));
        GroupedKernels.prepare(lanes, q, x, xOff, tokens, gemv, xs);
        in.input(xs, 0);
      }
      default -> in.input(x, xOff);
    }
    return in;
  }

  // One method per layout, each with its own row loop: C2 compiles (and profiles) each loop as a
  // separate unit, so a model mixing layouts (4-bit layers, a bf16 head) never deoptimizes one
  // layout's loop when another's shows up, and no unit inlines every decoder at once.
  @Override
  public void matmulRows(PreparedInput prepared, float[] out, int outOff, int rowFrom, int rowTo) {
    if (!(prepared instanceof PanamaInput in)) {
      throw new IllegalArgumentException(
          "matmulRows: input prepared by another backend (" + prepared.getClass().getName() + ")");
    }
    float[] x = in.x;
    int xOff = in.xOff;
    int tokens = in.tokens;
    switch (in.kernel) {
      case DenseMatrix d -> dense(d, x, xOff, tokens, out, outOff, rowFrom, rowTo);
      case Int8RowMatrix q when q.precision() == ActivationPrecision.INT8 ->
          int8Activations.gemvRows(q, in, out, outOff, rowFrom, rowTo);
      case Int8RowMatrix q -> int8(q, x, xOff, tokens, out, outOff, rowFrom, rowTo);
      case Packed4BitMatrix q when q.precision() == ActivationPrecision.INT8 ->
          int8Activations.gemvRows(q, in, out, outOff, rowFrom, rowTo);
      case Packed4BitMatrix q when Packed4Kernels.vectorizable(lanes, q) ->
          packed4(q, x, tokens, out, outOff, rowFrom, rowTo);
      case Packed4BitMatrix q -> packed4Scalar(q, x, xOff, tokens, out, outOff, rowFrom, rowTo);
      case GroupedIntMatrix q -> grouped(q, x, xOff, tokens, out, outOff, rowFrom, rowTo);
      case Fp8Matrix q -> fp8(q, x, xOff, tokens, out, outOff, rowFrom, rowTo);
    }
  }

  private void dense(
      DenseMatrix w, float[] x, int xOff, int tokens, float[] out, int outOff, int from, int to) {
    if (tokens == 1) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = DenseKernels.dot(lanes, w, r, x, xOff);
      }
      return;
    }
    int cols = w.cols();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      DenseKernels.toFloat(lanes, w, (long) r0 * cols, decoded, 0, block * cols);
      ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, w.rows());
    }
  }

  private void int8(
      Int8RowMatrix w, float[] x, int xOff, int tokens, float[] out, int outOff, int from, int to) {
    if (tokens == 1) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = w.rowFactor(r) * QuantKernels.int8(lanes, w, r, x, xOff);
      }
      return;
    }
    int cols = w.cols();
    int rows = w.rows();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      QuantKernels.int8Decode(lanes, w, r0, block, decoded);
      ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, rows);
      for (int i = 0; i < block; i++) {
        float factor = w.rowFactor(r0 + i);
        for (int t = 0; t < tokens; t++) {
          out[outOff + t * rows + r0 + i] *= factor;
        }
      }
    }
  }

  /** {@code xs}: the tokens in split-pair order, from offset 0. */
  private void packed4(
      Packed4BitMatrix w, float[] xs, int tokens, float[] out, int outOff, int from, int to) {
    if (tokens == 1) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = Packed4Kernels.dot(lanes, w, r, xs, 0);
      }
      return;
    }
    int cols = w.cols();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      Packed4Kernels.decode(lanes, w, r0, block, decoded);
      ops.gemmBlock(decoded, block, cols, xs, 0, tokens, out, outOff + r0, w.rows());
    }
  }

  /** Shapes the 4-bit vector path rejects (blocks straddling rows): scalar decode, vector dots. */
  private void packed4Scalar(
      Packed4BitMatrix w,
      float[] x,
      int xOff,
      int tokens,
      float[] out,
      int outOff,
      int from,
      int to) {
    if (tokens == 1) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = Packed4Kernels.dotScalar(w, r, x, xOff);
      }
      return;
    }
    int cols = w.cols();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      Packed4Kernels.decodeScalar(w, r0, block, decoded);
      ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, w.rows());
    }
  }

  /** {@code x}: as {@link #prepare} left it (reordered, with group sums, when vectorizable). */
  private void grouped(
      GroupedIntMatrix w,
      float[] x,
      int xOff,
      int tokens,
      float[] out,
      int outOff,
      int from,
      int to) {
    int cols = w.cols();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    if (!GroupedKernels.vectorizable(lanes, w)) {
      // Group sizes that split a byte load: element-wise decode, vector dots.
      for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
        int block = Math.min(GEMM_ROWS, to - r0);
        GroupedKernels.decodeScalar(w, r0, block, decoded);
        ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, w.rows());
      }
      return;
    }
    if (tokens == 1) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = GroupedKernels.dot(lanes, w, r, x, xOff, x, xOff + cols);
      }
      return;
    }
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      GroupedKernels.decode(lanes, w, r0, block, decoded);
      ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, w.rows());
    }
  }

  private void fp8(
      Fp8Matrix w, float[] x, int xOff, int tokens, float[] out, int outOff, int from, int to) {
    if (tokens == 1) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = Fp8Kernels.dot(lanes, w, r, x, xOff);
      }
      return;
    }
    int cols = w.cols();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      Fp8Kernels.decode(lanes, w, r0, block, decoded);
      ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, w.rows());
    }
  }

  @Override
  public void toFloat(DenseMatrix m, long element, float[] dst, int dstOff, int count) {
    DenseKernels.toFloat(lanes, m, element, dst, dstOff, count);
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    return ops.dot(a, aOff, b, bOff, n);
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    ops.axpy(alpha, x, xOff, y, yOff, n);
  }

  @Override
  public void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
    ops.addInPlace(y, yOff, x, xOff, n);
  }

  @Override
  public void scale(float[] x, int off, int n, float factor) {
    ops.scale(x, off, n, factor);
  }

  @Override
  public void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, float[] weight, int wOff, int n, float eps) {
    ops.rmsnorm(out, outOff, x, xOff, weight, wOff, n, eps);
  }

  @Override
  public void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, DenseMatrix weight, int row, float eps) {
    ops.rmsnorm(out, outOff, x, xOff, weight, row, eps);
  }

  @Override
  public void softmax(float[] x, int off, int n) {
    ops.softmax(x, off, n);
  }

  @Override
  public void silu(float[] x, int off, int n) {
    ops.silu(x, off, n);
  }

  @Override
  public void swiglu(
      float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int n) {
    ops.swiglu(gate, gateOff, up, upOff, out, outOff, n);
  }

  @Override
  public void rope(
      float[] x, int off, int heads, int headDim, float[] cos, float[] sin, int tableOff) {
    ops.rope(x, off, heads, headDim, cos, sin, tableOff);
  }
}
