package dev.quant4j.kernels;

import static dev.quant4j.kernels.Fixtures.SCALAR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Panama element-wise kernels against the scalar reference. Bounds: bit-exact where both do the
 * same float operations in the same order (axpy, add, scale, rope, rmsnorm, conversions); 4 ulps
 * where a vector {@code exp} replaces {@code Math.exp} (silu, swiglu); the summation bound of
 * {@link Fixtures#dotBound} for reductions (dot, softmax's normalizer).
 */
class VectorOpsConformanceTest {

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (KernelBackend b : Fixtures.panamaBackends()) {
      for (int n : Fixtures.SIZES) {
        out.add(Arguments.of(b, n));
      }
    }
    return out.stream();
  }

  private static void assertUlps(float[] expected, float[] actual, int ulps, String what) {
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i];
      float a = actual[i];
      assertTrue(
          Math.abs(e - a) <= ulps * Math.ulp(e),
          () -> what + ": " + a + " vs " + e + " beyond " + ulps + " ulps");
    }
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void dotWithinSummationBound(KernelBackend b, int n) {
    Random r = new Random(n);
    float[] a = Fixtures.randomFloats(r, n + 2);
    float[] c = Fixtures.randomFloats(r, n + 1);
    double exact = 0;
    double sumAbs = 0;
    for (int i = 0; i < n; i++) {
      exact += (double) a[2 + i] * c[1 + i];
      sumAbs += Math.abs((double) a[2 + i] * c[1 + i]);
    }
    assertTrue(Math.abs(b.dot(a, 2, c, 1, n) - exact) <= Fixtures.dotBound(b, n, sumAbs));
    assertTrue(Math.abs(SCALAR.dot(a, 2, c, 1, n) - exact) <= Fixtures.dotBound(SCALAR, n, sumAbs));
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void elementwiseIsBitExact(KernelBackend b, int n) {
    Random r = new Random(100 + n);
    float[] x = Fixtures.randomFloats(r, n + 1);
    float[] y = Fixtures.randomFloats(r, n + 3);
    float[] ys = y.clone();
    b.axpy(0.37f, x, 1, y, 3, n);
    SCALAR.axpy(0.37f, x, 1, ys, 3, n);
    assertArrayEquals(ys, y, "axpy");
    b.addInPlace(y, 3, x, 1, n);
    SCALAR.addInPlace(ys, 3, x, 1, n);
    assertArrayEquals(ys, y, "addInPlace");
    b.scale(y, 2, n, -1.7f);
    SCALAR.scale(ys, 2, n, -1.7f);
    assertArrayEquals(ys, y, "scale");

    float[] w = Fixtures.randomFloats(r, n);
    float[] out = new float[n + 1];
    float[] outS = new float[n + 1];
    b.rmsnorm(out, 1, x, 1, w, 0, n, 1e-5f);
    SCALAR.rmsnorm(outS, 1, x, 1, w, 0, n, 1e-5f);
    assertArrayEquals(outS, out, "rmsnorm");
    DenseMatrix wm = Fixtures.randomDense(r, FloatFormat.BF16, 2, n);
    b.rmsnorm(out, 1, x, 1, wm, 1, 1e-6f);
    SCALAR.rmsnorm(outS, 1, x, 1, wm, 1, 1e-6f);
    assertArrayEquals(outS, out, "rmsnorm with bf16 weight");
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void ropeIsBitExactOverHeads(KernelBackend b, int n) {
    int headDim = 2 * n;
    Random r = new Random(200 + n);
    float[] x = Fixtures.randomFloats(r, 1 + 3 * headDim);
    float[] xs = x.clone();
    float[] cos = Fixtures.randomFloats(r, n + 4);
    float[] sin = Fixtures.randomFloats(r, n + 4);
    b.rope(x, 1, 3, headDim, cos, sin, 4);
    SCALAR.rope(xs, 1, 3, headDim, cos, sin, 4);
    assertArrayEquals(xs, x);
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void activationsWithinFourUlps(KernelBackend b, int n) {
    Random r = new Random(300 + n);
    float[] g = Fixtures.randomFloats(r, n);
    for (int i = 0; i < n; i++) {
      g[i] *= 6; // reach both saturated ends of the sigmoid
    }
    float[] up = Fixtures.randomFloats(r, n);
    float[] s = g.clone();
    float[] ss = g.clone();
    b.silu(s, 0, n);
    SCALAR.silu(ss, 0, n);
    assertUlps(ss, s, 4, b.name() + " silu");
    float[] o = new float[n];
    float[] os = new float[n];
    b.swiglu(g, 0, up, 0, o, 0, n);
    SCALAR.swiglu(g, 0, up, 0, os, 0, n);
    assertUlps(os, o, 4, b.name() + " swiglu");
    // swiglu is silu(gate) * up
    for (int i = 0; i < n; i++) {
      assertEquals(ss[i] * up[i], os[i], 0f);
    }
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void softmaxNormalizesWithinBound(KernelBackend b, int n) {
    Random r = new Random(400 + n);
    float[] x = Fixtures.randomFloats(r, n + 1);
    for (int i = 0; i < x.length; i++) {
      x[i] *= 8;
    }
    float[] p = x.clone();
    b.softmax(p, 1, n);
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 1; i <= n; i++) {
      max = Math.max(max, x[i]);
    }
    double sum = 0;
    for (int i = 1; i <= n; i++) {
      sum += Math.exp(x[i] - max);
    }
    // exp within 2 ulps, sum of positives within dotBound, the division and scale 2 more.
    double relative = Fixtures.dotBound(b, n, 1) + 8 * Fixtures.U;
    for (int i = 1; i <= n; i++) {
      double exact = Math.exp(x[i] - max) / sum;
      assertTrue(Math.abs(p[i] - exact) <= relative * exact + Float.MIN_VALUE, "p[" + i + "]");
    }
    assertEquals(x[0], p[0], "outside the range is untouched");
  }

  @Test
  void halfConversionMatchesTheJdkForAll65536Patterns() {
    MemorySegment all = Arena.ofAuto().allocate(65536 * 2);
    for (int i = 0; i < 65536; i++) {
      all.set(FloatFormat.SHORT_LE, 2L * i, (short) i);
    }
    for (FloatFormat format : new FloatFormat[] {FloatFormat.F16, FloatFormat.BF16}) {
      DenseMatrix m = new DenseMatrix(all, format, 1, 65536);
      float[] expected = new float[65536];
      for (int i = 0; i < 65536; i++) {
        expected[i] =
            format == FloatFormat.F16
                ? Float.float16ToFloat((short) i)
                : Float.intBitsToFloat(i << 16);
      }
      for (KernelBackend b : Fixtures.panamaBackends()) {
        float[] got = new float[65536];
        b.toFloat(m, 0, got, 0, 65536);
        for (int i = 0; i < 65536; i++) {
          assertEquals(
              Float.floatToRawIntBits(expected[i]),
              Float.floatToRawIntBits(got[i]),
              b.name() + " " + format + " pattern " + Integer.toHexString(i));
        }
      }
    }
  }
}
