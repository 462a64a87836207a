package dev.quant4j.quantizers.bnb;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BnbErrorBoundPropertiesTest {
  private static float maxHalfGap(Codebook c) {
    float[] v = c.toArray();
    java.util.Arrays.sort(v);
    float g = 0;
    for (int i = 1; i < v.length; i++) {
      g = Math.max(g, v[i] - v[i - 1]);
    }
    return g / 2;
  }

  @Property(tries = 200)
  void fourBitErrorIsAtMostHalfTheWidestGapTimesTheBlockAbsmax(
      @ForAll @Size(min = 1, max = 300) float[] raw,
      @ForAll boolean nf4,
      @ForAll @IntRange(min = 0, max = 3) int blockPow) {
    float[] w = new float[raw.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = Float.isFinite(raw[i]) ? Math.clamp(raw[i], -1e6f, 1e6f) : 0f;
    }
    Bnb4bitType type = nf4 ? Bnb4bitType.NF4 : Bnb4bitType.FP4;
    int blocksize = 32 << blockPow;
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w",
            w,
            1,
            w.length,
            BnbFloatType.FLOAT32,
            new Bnb4bitSettings(type, blocksize, false, QuantStorage.UINT8));
    float[] d = Bnb4bitDequantizer.dequantize(q);
    float half = maxHalfGap(type.codebook());
    for (int f = 0; f < w.length; f++) {
      float a = q.absmax(f / blocksize);
      float bound = a * half * (1 + 1e-5f) + Float.MIN_NORMAL;
      assertTrue(
          Math.abs(w[f] - d[f]) <= bound,
          "f=" + f + " w=" + w[f] + " d=" + d[f] + " bound=" + bound);
    }
  }

  @Property(tries = 200)
  void int8ErrorIsAtMostHalfAStepPlusTheFloat16Cast(
      @ForAll @Size(min = 1, max = 64) float[] raw, @ForAll @IntRange(min = 1, max = 4) int rows) {
    int cols = raw.length;
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) {
      float v = raw[i % cols];
      w[i] = Float.isFinite(v) ? Math.clamp(v * (1 + i / cols), -6e4f, 6e4f) : 0f;
    }
    BnbInt8Weight q = BnbInt8Quantizer.quantize("w", w, rows, cols);
    float[] d = q.dequantize();
    for (int o = 0; o < rows; o++) {
      float step = q.scb(o) / 127f;
      for (int i = 0; i < cols; i++) {
        float v = w[o * cols + i];
        float bound = step / 2 * (1 + 1e-4f) + Math.abs(v) / 1024f + 1e-7f;
        assertTrue(Math.abs(v - d[o * cols + i]) <= bound, "row " + o + " col " + i);
      }
    }
  }

  @Property(tries = 100)
  void outlierColumnsAreComputedInFloatingPoint(
      @ForAll @Size(min = 2, max = 24) float[] xs,
      @ForAll @FloatRange(min = 0.5f, max = 8f) float threshold) {
    int in = xs.length;
    float[] x = new float[in];
    for (int i = 0; i < in; i++) {
      x[i] = Float.isFinite(xs[i]) ? Math.clamp(xs[i], -50f, 50f) : 0f;
    }
    float[] w = new float[3 * in];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(i * 0.7 + 1);
    }
    BnbInt8Weight q = BnbInt8Quantizer.quantize("w", w, 3, in);
    float[] deq = q.dequantize();
    float[] out = Int8OutlierMatmul.matmul(x, 1, q, threshold, null);
    float inlierMax = 0;
    float sumAbs = 0;
    for (float v : x) {
      if (Math.abs(v) < threshold) {
        inlierMax = Math.max(inlierMax, Math.abs(v));
      }
      sumAbs += Math.abs(v);
    }
    for (int o = 0; o < 3; o++) {
      double exact = 0;
      for (int i = 0; i < in; i++) {
        exact += (double) x[i] * deq[o * in + i];
      }
      // Only the inlier activations are rounded to int8: half a step each, against |W| <= SCB.
      double bound = in * (inlierMax / 127.0 / 2) * q.scb(o) * 1.01 + 1e-4 * (1 + sumAbs);
      assertTrue(
          Math.abs(out[o] - exact) <= bound,
          "o=" + o + " out=" + out[o] + " exact=" + exact + " bound=" + bound);
    }
  }
}
