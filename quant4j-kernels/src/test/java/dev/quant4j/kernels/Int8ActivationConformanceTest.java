package dev.quant4j.kernels;

import static dev.quant4j.kernels.Fixtures.SCALAR;
import static dev.quant4j.kernels.Fixtures.U;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ActivationPrecision#INT8} layouts on every backend against a double evaluation of {@link
 * Int8Activations}' definition. Gemv must reproduce the reference quantization exactly (a bound of
 * a few float roundings per term would not absorb one activation code off by one); gemm (the float
 * kernels on fake-quantized activations) within a few roundings per product.
 */
class Int8ActivationConformanceTest {
  private static final Parallelism POOL = Parallelism.ofThreads(3);
  private static final int ROWS = 13;

  @AfterAll
  static void stopPool() {
    POOL.close();
  }

  static Stream<Arguments> cases() {
    List<KernelBackend> backends = new ArrayList<>(Fixtures.panamaBackends());
    backends.add(SCALAR);
    List<Arguments> out = new ArrayList<>();
    for (KernelBackend b : backends) {
      for (int cols : new int[] {1, 7, 13, 33, 64, 207, 4099, 96, 2048}) {
        for (String layout : new String[] {"INT8", "NF4-64", "NF4-32", "NF4-96", "FP4-64"}) {
          for (int tokens : new int[] {1, 6}) {
            out.add(Arguments.of(b, layout, cols, tokens));
          }
        }
      }
    }
    return out.stream();
  }

  static WeightMatrix matrix(Random r, String layout, int rows, int cols) {
    int even = cols + (cols & 1);
    return switch (layout) {
      case "INT8" -> Fixtures.randomInt8(r, rows, cols).withPrecision(ActivationPrecision.INT8);
      case "NF4-64" ->
          Fixtures.random4Bit(r, rows, even, 64).withPrecision(ActivationPrecision.INT8);
      case "NF4-32" ->
          Fixtures.random4Bit(r, rows, even, 32).withPrecision(ActivationPrecision.INT8);
      // Blocks of 96: a block holds three chunks; with cols 2048 blocks straddle rows.
      case "NF4-96" ->
          Fixtures.random4Bit(r, rows, even, 96).withPrecision(ActivationPrecision.INT8);
      case "FP4-64" -> {
        Packed4BitMatrix m = Fixtures.random4Bit(r, rows, even, 64);
        yield new Packed4BitMatrix(
            m.codes(), m.absmax(), Fixtures.FP4, rows, even, 64, ActivationPrecision.INT8);
      }
      default -> throw new IllegalArgumentException(layout);
    };
  }

  /** The exact value of the definition, with the sum of |terms| and the number of terms. */
  record Expected(double value, double sumAbsTerms, double sumAbsProducts, int terms) {}

  static Expected expected(WeightMatrix w, int row, short[] q, float[] d) {
    int cols = w.cols();
    double sum = 0;
    double sumAbs = 0;
    double products = 0;
    int terms = 0;
    long isum = 0;
    long iabs = 0;
    for (int c = 0; c < cols; c++) {
      int code;
      float factor;
      boolean runEnds = c + 1 == cols || (c + 1) % Int8Activations.CHUNK == 0;
      switch (w) {
        case Int8RowMatrix m -> {
          code = m.code(row, c);
          factor = d[c / Int8Activations.CHUNK];
        }
        case Packed4BitMatrix m -> {
          long e = (long) row * cols + c;
          code = m.codebook().int8Code(m.code(e));
          factor =
              d[c / Int8Activations.CHUNK]
                  * (m.absmax(e / m.blockSize()) * m.codebook().int8Step());
          runEnds |= (e + 1) % m.blockSize() == 0;
        }
        default -> throw new IllegalArgumentException(w.toString());
      }
      isum += (long) code * q[c];
      iabs += Math.abs((long) code * q[c]);
      if (runEnds) {
        sum += isum * (double) factor;
        sumAbs += Math.abs(isum * (double) factor);
        products += iabs * (double) Math.abs(factor);
        terms++;
        isum = 0;
        iabs = 0;
      }
    }
    double f = Fixtures.factor(w, row);
    return new Expected(f * sum, Math.abs(f) * sumAbs, Math.abs(f) * products, terms);
  }

  @ParameterizedTest(name = "{0} {1} cols={2} tokens={3}")
  @MethodSource("cases")
  void matchesDefinition(KernelBackend b, String layout, int cols, int tokens) {
    Random r = new Random(17L * cols + tokens + layout.hashCode());
    WeightMatrix w = matrix(r, layout, ROWS, cols);
    int n = w.cols();
    float[] x = Fixtures.randomFloats(r, 3 + tokens * n);
    x[3] = 0f; // exercise an exact zero and, for n = 1, an all-zero chunk
    float[] out = new float[5 + tokens * ROWS];
    b.matmul(w, x, 3, tokens, out, 5, POOL);
    short[] q = new short[n];
    float[] d = new float[Int8Activations.chunks(n)];
    for (int t = 0; t < tokens; t++) {
      Int8Activations.quantize(x, 3 + t * n, n, q, 0, d, 0);
      for (int row = 0; row < ROWS; row++) {
        Expected e = expected(w, row, q, d);
        double got = out[5 + t * ROWS + row];
        double bound;
        if (tokens == 1 || b == SCALAR) {
          // Terms are exact integers times the reference's float factors: only their float sum
          // (and the row factor) rounds.
          bound = Fixtures.dotBound(b, e.terms(), e.sumAbsTerms()) + 2 * U * Math.abs(e.value());
        } else {
          // Float gemm of q*d by rounded code * absmax: up to 6 roundings per product.
          bound =
              Fixtures.dotBound(b, n, e.sumAbsProducts())
                  + 8 * U * e.sumAbsProducts()
                  + 2 * U * Math.abs(e.value());
        }
        assertTrue(
            Math.abs(got - e.value()) <= bound,
            b.name() + " token " + t + " row " + row + ": " + got + " vs " + e.value() + " ±"
                + bound);
      }
    }
  }

  @Test
  void int8PathDiffersFromFloatOnlyByQuantization() {
    // The integer path is an approximation of the float one: close, and not the same.
    Random r = new Random(5);
    Packed4BitMatrix f = Fixtures.random4Bit(r, 64, 2048, 64);
    Packed4BitMatrix i = f.withPrecision(ActivationPrecision.INT8);
    float[] x = Fixtures.randomFloats(r, 2048);
    float[] a = new float[64];
    float[] c = new float[64];
    KernelBackend k = Kernels.backend();
    k.matmul(f, x, 0, 1, a, 0);
    k.matmul(i, x, 0, 1, c, 0);
    double err = 0;
    double norm = 0;
    boolean differs = false;
    for (int row = 0; row < 64; row++) {
      err += (a[row] - c[row]) * (double) (a[row] - c[row]);
      norm += a[row] * (double) a[row];
      differs |= a[row] != c[row];
    }
    assertTrue(differs, "int8 activations changed nothing");
    assertTrue(Math.sqrt(err / norm) < 0.02, "relative error " + Math.sqrt(err / norm));
  }
}
