package dev.quant4j.kernels.panama;

import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.kernels.Norms;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels and reductions on float arrays. Operations without a reduction use the same
 * float operations as the scalar reference in the same order (no fused multiply-add), so they agree
 * bit for bit; reductions use independent lane accumulators.
 */
final class VectorOps {
  private final Lanes v;

  VectorOps(Lanes lanes) {
    this.v = lanes;
  }

  float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    int i = 0;
    for (int end = n - 4 * l; i <= end; i += 4 * l) {
      a0 = FloatVector.fromArray(f, a, aOff + i).fma(FloatVector.fromArray(f, b, bOff + i), a0);
      a1 =
          FloatVector.fromArray(f, a, aOff + i + l)
              .fma(FloatVector.fromArray(f, b, bOff + i + l), a1);
      a2 =
          FloatVector.fromArray(f, a, aOff + i + 2 * l)
              .fma(FloatVector.fromArray(f, b, bOff + i + 2 * l), a2);
      a3 =
          FloatVector.fromArray(f, a, aOff + i + 3 * l)
              .fma(FloatVector.fromArray(f, b, bOff + i + 3 * l), a3);
    }
    for (int end = n - l; i <= end; i += l) {
      a0 = FloatVector.fromArray(f, a, aOff + i).fma(FloatVector.fromArray(f, b, bOff + i), a0);
    }
    float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /**
   * The gemm inner block: {@code out[outOff + t * outStride + i] = dot(w row i, x row t)} for
   * {@code count} decoded weight rows of {@code n} floats and {@code tokens} input rows. Two weight
   * rows against four tokens share every load (eight accumulators fit the 16 AVX2 registers). Each
   * output is summed in the same order whichever kernel computes it, so splitting rows over threads
   * cannot change a bit.
   */
  void gemmBlock(
      float[] w,
      int count,
      int n,
      float[] x,
      int xOff,
      int tokens,
      float[] out,
      int outOff,
      int outStride) {
    int t = 0;
    for (; t + 4 <= tokens; t += 4) {
      int xt = xOff + t * n;
      int ot = outOff + t * outStride;
      int i = 0;
      for (; i + 2 <= count; i += 2) {
        rows2Tokens4(w, i * n, n, x, xt, out, ot + i, outStride);
      }
      if (i < count) {
        row1Tokens4(w, i * n, n, x, xt, out, ot + i, outStride);
      }
    }
    for (; t < tokens; t++) {
      for (int i = 0; i < count; i++) {
        out[outOff + t * outStride + i] = dot(w, i * n, x, xOff + t * n, n);
      }
    }
  }

  private void rows2Tokens4(
      float[] w, int wOff, int n, float[] x, int xOff, float[] out, int outOff, int outStride) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    FloatVector b0 = v.zero(), b1 = v.zero(), b2 = v.zero(), b3 = v.zero();
    int c = 0;
    for (int end = n - l; c <= end; c += l) {
      FloatVector wa = FloatVector.fromArray(f, w, wOff + c);
      FloatVector wb = FloatVector.fromArray(f, w, wOff + n + c);
      FloatVector x0 = FloatVector.fromArray(f, x, xOff + c);
      a0 = wa.fma(x0, a0);
      b0 = wb.fma(x0, b0);
      FloatVector x1 = FloatVector.fromArray(f, x, xOff + n + c);
      a1 = wa.fma(x1, a1);
      b1 = wb.fma(x1, b1);
      FloatVector x2 = FloatVector.fromArray(f, x, xOff + 2 * n + c);
      a2 = wa.fma(x2, a2);
      b2 = wb.fma(x2, b2);
      FloatVector x3 = FloatVector.fromArray(f, x, xOff + 3 * n + c);
      a3 = wa.fma(x3, a3);
      b3 = wb.fma(x3, b3);
    }
    finish4(w, wOff, n, c, x, xOff, a0, a1, a2, a3, out, outOff, outStride);
    finish4(w, wOff + n, n, c, x, xOff, b0, b1, b2, b3, out, outOff + 1, outStride);
  }

  private void row1Tokens4(
      float[] w, int wOff, int n, float[] x, int xOff, float[] out, int outOff, int outStride) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    FloatVector a0 = v.zero(), a1 = v.zero(), a2 = v.zero(), a3 = v.zero();
    int c = 0;
    for (int end = n - l; c <= end; c += l) {
      FloatVector wa = FloatVector.fromArray(f, w, wOff + c);
      a0 = wa.fma(FloatVector.fromArray(f, x, xOff + c), a0);
      a1 = wa.fma(FloatVector.fromArray(f, x, xOff + n + c), a1);
      a2 = wa.fma(FloatVector.fromArray(f, x, xOff + 2 * n + c), a2);
      a3 = wa.fma(FloatVector.fromArray(f, x, xOff + 3 * n + c), a3);
    }
    finish4(w, wOff, n, c, x, xOff, a0, a1, a2, a3, out, outOff, outStride);
  }

  /** Reduces one weight row's four token accumulators, adds the scalar tail from {@code c}. */
  private static void finish4(
      float[] w,
      int wOff,
      int n,
      int c,
      float[] x,
      int xOff,
      FloatVector a0,
      FloatVector a1,
      FloatVector a2,
      FloatVector a3,
      float[] out,
      int outOff,
      int outStride) {
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; c < n; c++) {
      float wc = w[wOff + c];
      s0 += wc * x[xOff + c];
      s1 += wc * x[xOff + n + c];
      s2 += wc * x[xOff + 2 * n + c];
      s3 += wc * x[xOff + 3 * n + c];
    }
    out[outOff] = s0;
    out[outOff + outStride] = s1;
    out[outOff + 2 * outStride] = s2;
    out[outOff + 3 * outStride] = s3;
  }

  void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector.fromArray(f, x, xOff + i)
          .mul(alpha)
          .add(FloatVector.fromArray(f, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector.fromArray(f, y, yOff + i)
          .add(FloatVector.fromArray(f, x, xOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] += x[xOff + i];
    }
  }

  void scale(float[] x, int off, int n, float factor) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector.fromArray(f, x, off + i).mul(factor).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] *= factor;
    }
  }

  private static float inverseRms(float[] x, int xOff, int n, float eps) {
    return Norms.inverseRms(x, xOff, n, eps);
  }

  void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, float[] weight, int wOff, int n, float eps) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    float inv = inverseRms(x, xOff, n, eps);
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector.fromArray(f, weight, wOff + i)
          .mul(FloatVector.fromArray(f, x, xOff + i).mul(inv))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = weight[wOff + i] * (x[xOff + i] * inv);
    }
  }

  void rmsnorm(
      float[] out, int outOff, float[] x, int xOff, DenseMatrix weight, int row, float eps) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int n = weight.cols();
    float inv = inverseRms(x, xOff, n, eps);
    FloatFormat format = weight.format();
    long first = (long) row * n;
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      DenseKernels.load(v, format, weight.data(), (first + i) * format.bytes())
          .mul(FloatVector.fromArray(f, x, xOff + i).mul(inv))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = format.get(weight.data(), first + i) * (x[xOff + i] * inv);
    }
  }

  void softmax(float[] x, int off, int n) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    if (n == 0) {
      return;
    }
    int i = 0;
    FloatVector maxV = FloatVector.broadcast(f, Float.NEGATIVE_INFINITY);
    for (int end = n - l; i <= end; i += l) {
      maxV = maxV.max(FloatVector.fromArray(f, x, off + i));
    }
    float max = maxV.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    FloatVector sumV = v.zero();
    i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector e = FloatVector.fromArray(f, x, off + i).sub(max).lanewise(VectorOperators.EXP);
      e.intoArray(x, off + i);
      sumV = sumV.add(e);
    }
    float sum = sumV.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    scale(x, off, n, 1f / sum);
  }

  void silu(float[] x, int off, int n) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector g = FloatVector.fromArray(f, x, off + i);
      g.div(g.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      float g = x[off + i];
      x[off + i] = g / (1f + (float) Math.exp(-g));
    }
  }

  void swiglu(float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int n) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int i = 0;
    for (int end = n - l; i <= end; i += l) {
      FloatVector g = FloatVector.fromArray(f, gate, gateOff + i);
      g.div(g.neg().lanewise(VectorOperators.EXP).add(1f))
          .mul(FloatVector.fromArray(f, up, upOff + i))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      float g = gate[gateOff + i];
      out[outOff + i] = g / (1f + (float) Math.exp(-g)) * up[upOff + i];
    }
  }

  void rope(float[] x, int off, int heads, int headDim, float[] cos, float[] sin, int tableOff) {
    VectorSpecies<Float> f = v.floats();
    int l = v.length();
    int half = headDim / 2;
    for (int h = 0; h < heads; h++) {
      int lo = off + h * headDim;
      int hi = lo + half;
      int i = 0;
      for (int end = half - l; i <= end; i += l) {
        FloatVector x1 = FloatVector.fromArray(f, x, lo + i);
        FloatVector x2 = FloatVector.fromArray(f, x, hi + i);
        FloatVector c = FloatVector.fromArray(f, cos, tableOff + i);
        FloatVector s = FloatVector.fromArray(f, sin, tableOff + i);
        x1.mul(c).sub(x2.mul(s)).intoArray(x, lo + i);
        x2.mul(c).add(x1.mul(s)).intoArray(x, hi + i);
      }
      for (; i < half; i++) {
        float x1 = x[lo + i];
        float x2 = x[hi + i];
        float c = cos[tableOff + i];
        float s = sin[tableOff + i];
        x[lo + i] = x1 * c - x2 * s;
        x[hi + i] = x2 * c + x1 * s;
      }
    }
  }
}
