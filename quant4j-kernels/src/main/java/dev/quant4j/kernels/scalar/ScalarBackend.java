package dev.quant4j.kernels.scalar;

import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Int8Activations;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.Norms;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.WeightMatrix;

/**
 * The reference backend: plain loops in the order of the mathematical definition, every sum
 * accumulated left to right in float. Always available; the Panama backend is tested against it.
 */
public final class ScalarBackend implements KernelBackend {

  @Override
  public String name() {
    return "scalar";
  }

  /**
   * The reference's prepared input: the activations after the layout's quantizer and, for
   * int8-activation layouts, every token's int8 codes and chunk scales. Allocated per call: the
   * reference keeps to the definition, not to speed.
   */
  private record ScalarInput(
      WeightMatrix weight, int tokens, float[] x, int xOff, short[] q, float[] scales)
      implements PreparedInput {}

  @Override
  public PreparedInput prepare(WeightMatrix w, float[] x, int xOff, int tokens) {
    int cols = w.cols();
    ActivationQuantizer activations = w.activations();
    if (activations != ActivationQuantizer.NONE) {
      float[] quantized = new float[tokens * cols];
      activations.apply(x, xOff, tokens, cols, quantized);
      x = quantized;
      xOff = 0;
    }
    if (!int8Activations(w)) {
      return new ScalarInput(w, tokens, x, xOff, null, null);
    }
    int chunks = Int8Activations.chunks(cols);
    short[] q = new short[tokens * cols];
    float[] scales = new float[tokens * chunks];
    for (int t = 0; t < tokens; t++) {
      Int8Activations.quantize(x, xOff + t * cols, cols, q, t * cols, scales, t * chunks);
    }
    return new ScalarInput(w, tokens, x, xOff, q, scales);
  }

  @Override
  public void matmulRows(PreparedInput prepared, float[] out, int outOff, int rowFrom, int rowTo) {
    if (!(prepared instanceof ScalarInput in)) {
      throw new IllegalArgumentException(
          "matmulRows: input prepared by another backend (" + prepared.getClass().getName() + ")");
    }
    WeightMatrix w = in.weight();
    int tokens = in.tokens();
    int rows = w.rows();
    int cols = w.cols();
    if (in.q() != null) {
      int8ActivationRows(w, in.q(), in.scales(), tokens, out, outOff, rowFrom, rowTo);
      return;
    }
    float[] x = in.x();
    for (int r = rowFrom; r < rowTo; r++) {
      for (int t = 0; t < tokens; t++) {
        int xt = in.xOff() + t * cols;
        out[outOff + t * rows + r] =
            switch (w) {
              case DenseMatrix d -> ScalarDots.dense(d, r, x, xt);
              case Int8RowMatrix q -> q.rowFactor(r) * ScalarDots.int8(q, r, x, xt);
              case Packed4BitMatrix q -> ScalarDots.packed4(q, r, x, xt);
              case GroupedIntMatrix q -> ScalarDots.grouped(q, r, x, xt);
              case Fp8Matrix q -> ScalarDots.fp8(q, r, x, xt);
            };
      }
    }
  }

  private static boolean int8Activations(WeightMatrix w) {
    return switch (w) {
      case Int8RowMatrix q -> q.precision() == ActivationPrecision.INT8;
      case Packed4BitMatrix q -> q.precision() == ActivationPrecision.INT8;
      default -> false;
    };
  }

  /** {@link ActivationPrecision#INT8}: the reference dots on the prepared int8 tokens. */
  private static void int8ActivationRows(
      WeightMatrix w,
      short[] q,
      float[] scales,
      int tokens,
      float[] out,
      int outOff,
      int from,
      int to) {
    int rows = w.rows();
    int cols = w.cols();
    int chunks = Int8Activations.chunks(cols);
    for (int r = from; r < to; r++) {
      for (int t = 0; t < tokens; t++) {
        out[outOff + t * rows + r] =
            switch (w) {
              case Int8RowMatrix m ->
                  m.rowFactor(r) * Int8Activations.int8Dot(m, r, q, t * cols, scales, t * chunks);
              case Packed4BitMatrix m ->
                  Int8Activations.packed4Dot(m, r, q, t * cols, scales, t * chunks);
              default -> throw new IllegalStateException("no int8-activation path for " + w);
            };
      }
    }
  }

  @Override
  public void toFloat(DenseMatrix m, long element, float[] dst, int dstOff, int count) {
    FloatFormat f = m.format();
    for (int i = 0; i < count; i++) {
      dst[dstOff + i] = f.get(m.data(), element + i);
    }
  }

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  @Override
  public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  @Override
  public void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += x[xOff + i];
    }
  }

  @Override
  public void scale(float[] x, int off, int n, float factor) {
    for (int i = 0; i < n; i++) {
      x[off + i] *= factor;
    }
  }

  @Override
  public void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, float[] weight, int wOff, int n, float eps) {
    float inv = inverseRms(x, xOff, n, eps);
    for (int i = 0; i < n; i++) {
      out[outOff + i] = weight[wOff + i] * (x[xOff + i] * inv);
    }
  }

  @Override
  public void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, DenseMatrix weight, int row, float eps) {
    int n = weight.cols();
    float inv = inverseRms(x, xOff, n, eps);
    long first = (long) row * n;
    FloatFormat f = weight.format();
    for (int i = 0; i < n; i++) {
      out[outOff + i] = f.get(weight.data(), first + i) * (x[xOff + i] * inv);
    }
  }

  private static float inverseRms(float[] x, int xOff, int n, float eps) {
    return Norms.inverseRms(x, xOff, n, eps);
  }

  @Override
  public void softmax(float[] x, int off, int n) {
    if (n == 0) {
      return;
    }
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    float inv = 1f / sum;
    for (int i = 0; i < n; i++) {
      x[off + i] *= inv;
    }
  }

  @Override
  public void silu(float[] x, int off, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[off + i];
      x[off + i] = v / (1f + (float) Math.exp(-v));
    }
  }

  @Override
  public void swiglu(
      float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      float g = gate[gateOff + i];
      out[outOff + i] = g / (1f + (float) Math.exp(-g)) * up[upOff + i];
    }
  }

  @Override
  public void rope(
      float[] x, int off, int heads, int headDim, float[] cos, float[] sin, int tableOff) {
    int half = headDim / 2;
    for (int h = 0; h < heads; h++) {
      int base = off + h * headDim;
      for (int i = 0; i < half; i++) {
        float x1 = x[base + i];
        float x2 = x[base + half + i];
        float c = cos[tableOff + i];
        float s = sin[tableOff + i];
        x[base + i] = x1 * c - x2 * s;
        x[base + half + i] = x2 * c + x1 * s;
      }
    }
  }
}
