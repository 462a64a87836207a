package dev.quant4j.kernels.panama;

import dev.quant4j.kernels.DenseMatrix;
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
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /** Per-thread buffers, grown on demand and kept: decode-time calls allocate nothing. */
  private static final class Scratch {
    float[] rows = new float[0];
    float[] x = new float[0];

    float[] rows(int size) {
      if (rows.length < size) {
        rows = new float[size];
      }
      return rows;
    }

    float[] x(int size) {
      if (x.length < size) {
        x = new float[size];
      }
      return x;
    }
  }

  PanamaBackend(int bits) {
    this.lanes = Lanes.of(bits);
    this.ops = new VectorOps(lanes);
  }

  @Override
  public String name() {
    return "panama-" + lanes.bits();
  }

  @Override
  public void matmulRows(
      WeightMatrix w,
      float[] x,
      int xOff,
      int tokens,
      float[] out,
      int outOff,
      int rowFrom,
      int rowTo) {
    float[] in = x;
    int inOff = xOff;
    if (w instanceof Packed4BitMatrix q && Packed4Kernels.vectorizable(lanes, q)) {
      // The 4-bit kernels read x in the order the nibbles unpack (see Packed4Kernels).
      in = scratch.get().x(tokens * q.cols());
      inOff = 0;
      Packed4Kernels.splitPairs(lanes, x, xOff, q.cols(), tokens, in);
    }
    if (tokens == 1) {
      gemv(w, in, inOff, out, outOff, rowFrom, rowTo);
    } else {
      gemm(w, in, inOff, tokens, out, outOff, rowFrom, rowTo);
    }
  }

  private void gemv(
      WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int from, int to) {
    Lanes v = lanes;
    switch (w) {
      case DenseMatrix d -> {
        for (int r = from; r < to; r++) {
          out[outOff + r] = DenseKernels.dot(v, d, r, x, xOff);
        }
      }
      case Int8RowMatrix q -> {
        for (int r = from; r < to; r++) {
          out[outOff + r] = q.rowFactor(r) * QuantKernels.int8(v, q, r, x, xOff);
        }
      }
      case Packed4BitMatrix q -> {
        boolean vector = Packed4Kernels.vectorizable(v, q);
        for (int r = from; r < to; r++) {
          out[outOff + r] =
              vector
                  ? Packed4Kernels.dot(v, q, r, x, xOff)
                  : Packed4Kernels.dotScalar(q, r, x, xOff);
        }
      }
    }
  }

  private void gemm(
      WeightMatrix w, float[] x, int xOff, int tokens, float[] out, int outOff, int from, int to) {
    int cols = w.cols();
    int rows = w.rows();
    float[] decoded = scratch.get().rows(GEMM_ROWS * cols);
    for (int r0 = from; r0 < to; r0 += GEMM_ROWS) {
      int block = Math.min(GEMM_ROWS, to - r0);
      decodeRows(w, r0, block, decoded);
      ops.gemmBlock(decoded, block, cols, x, xOff, tokens, out, outOff + r0, rows);
      if (w instanceof Int8RowMatrix q) {
        for (int i = 0; i < block; i++) {
          float factor = q.rowFactor(r0 + i);
          for (int t = 0; t < tokens; t++) {
            out[outOff + t * rows + r0 + i] *= factor;
          }
        }
      }
    }
  }

  /** Rows {@code [r0, r0 + count)} as floats; int8 stays unscaled, as in gemv. */
  private void decodeRows(WeightMatrix w, int r0, int count, float[] dst) {
    switch (w) {
      case DenseMatrix d ->
          DenseKernels.toFloat(lanes, d, (long) r0 * d.cols(), dst, 0, count * d.cols());
      case Int8RowMatrix q -> QuantKernels.int8Decode(lanes, q, r0, count, dst);
      case Packed4BitMatrix q -> {
        if (Packed4Kernels.vectorizable(lanes, q)) {
          Packed4Kernels.decode(lanes, q, r0, count, dst);
        } else {
          Packed4Kernels.decodeScalar(q, r0, count, dst);
        }
      }
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
