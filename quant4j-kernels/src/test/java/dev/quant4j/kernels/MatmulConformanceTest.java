package dev.quant4j.kernels;

import static dev.quant4j.kernels.Fixtures.SCALAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Every backend's matmul against a double-precision evaluation of the definition, each within its
 * own rigorous rounding bound ({@link Fixtures#dotBound}: k * 2^-24 * sum |x * w| with k the
 * longest chain of float additions), on every layout, awkward widths, gemv and gemm.
 */
class MatmulConformanceTest {
  private static final Parallelism POOL = Parallelism.ofThreads(3);

  @AfterAll
  static void stopPool() {
    POOL.close();
  }

  private static final String[] LAYOUTS = {
    "F32", "BF16", "F16", "INT8", "NF4", "G2", "G4", "G8", "FP8-CHANNEL", "FP8-BLOCK"
  };

  static Stream<Arguments> cases() {
    List<KernelBackend> backends = new ArrayList<>(Fixtures.panamaBackends());
    backends.add(SCALAR);
    List<Arguments> out = new ArrayList<>();
    for (KernelBackend b : backends) {
      for (int cols : Fixtures.SIZES) {
        for (String layout : LAYOUTS) {
          for (int tokens : new int[] {1, 6}) {
            out.add(Arguments.of(b, layout, cols, tokens));
          }
        }
      }
    }
    return out.stream();
  }

  private static WeightMatrix matrix(Random r, String layout, int rows, int cols) {
    return switch (layout) {
      case "INT8" -> Fixtures.randomInt8(r, rows, cols);
      // cols not a multiple of 64: odd tails and blocks straddling rows (the scalar path).
      case "NF4" -> Fixtures.random4Bit(r, rows, cols + (cols & 1), 64);
      case "G2" -> Fixtures.randomGrouped(r, 2, rows, cols);
      case "G4" -> Fixtures.randomGrouped(r, 4, rows, cols);
      case "G8" -> Fixtures.randomGrouped(r, 8, rows, cols);
      case "FP8-CHANNEL" -> Fixtures.randomFp8(r, rows, cols, 1, cols);
      // 4 x 128 blocks: partial blocks at the last row band and at each row's end.
      case "FP8-BLOCK" -> Fixtures.randomFp8(r, rows, cols, 4, 128);
      default -> Fixtures.randomDense(r, FloatFormat.valueOf(layout), rows, cols);
    };
  }

  @ParameterizedTest(name = "{0} {1} cols={2} tokens={3}")
  @MethodSource("cases")
  void matchesDefinitionWithinRoundingBound(KernelBackend b, String layout, int cols, int tokens) {
    Random r = new Random(31L * cols + tokens + layout.hashCode());
    int rows = 13;
    WeightMatrix w = matrix(r, layout, rows, cols);
    int n = w.cols();
    float[] x = Fixtures.randomFloats(r, 3 + tokens * n);
    float[] out = new float[5 + tokens * rows];
    b.matmul(w, x, 3, tokens, out, 5);
    for (int t = 0; t < tokens; t++) {
      for (int row = 0; row < rows; row++) {
        double exact = 0;
        double sumAbs = 0;
        for (int c = 0; c < n; c++) {
          double p = Fixtures.weight(w, row, c) * x[3 + t * n + c];
          exact += p;
          sumAbs += Math.abs(p);
        }
        double f = Fixtures.factor(w, row);
        double got = out[5 + t * rows + row];
        double bound =
            w instanceof GroupedIntMatrix || w instanceof Fp8Matrix
                ? ScaledBounds.bound(b, w, row, x, 3 + t * n, tokens, exact)
                : Math.abs(f) * Fixtures.dotBound(b, n, sumAbs)
                    + 2 * Fixtures.U * Math.abs(f * exact);
        double expected = f * exact;
        assertTrue(
            Math.abs(got - expected) <= bound,
            b.name() + " token " + t + " row " + row + ": " + got + " vs " + expected);
      }
    }
  }

  @Test
  void fourBitAlignedBlocksTakeTheVectorPath() {
    // cols a multiple of the block: the in-register lookup path of every width.
    Random r = new Random(7);
    Packed4BitMatrix w = Fixtures.random4Bit(r, 9, 256, 64);
    float[] x = Fixtures.randomFloats(r, 256);
    float[] expected = new float[9];
    SCALAR.matmul(w, x, 0, 1, expected, 0);
    for (KernelBackend b : Fixtures.panamaBackends()) {
      float[] got = new float[9];
      b.matmul(w, x, 0, 1, got, 0);
      for (int row = 0; row < 9; row++) {
        double sumAbs = 0;
        for (int c = 0; c < 256; c++) {
          sumAbs += Math.abs(w.get(row, c) * x[c]);
        }
        double bound = Fixtures.dotBound(b, 256, sumAbs) + Fixtures.dotBound(SCALAR, 256, sumAbs);
        assertTrue(Math.abs(got[row] - expected[row]) <= bound, b.name() + " row " + row);
      }
    }
  }

  @Test
  void poolGivesTheSameResultsAsOneThread() {
    // Rows are independent: splitting them over threads (chunks of any parity, so gemm's row-pair
    // and single-row kernels both meet every row) must not change the results beyond rounding.
    // Not bit-for-bit: the Vector API's lane reductions may add in a different order once C2 has
    // compiled a kernel than in the interpreter, so the same row can differ in its last bit
    // between two calls of one JVM (seen in CI as a one-ulp flake).
    Random r = new Random(11);
    List<WeightMatrix> matrices =
        List.of(
            Fixtures.randomDense(r, FloatFormat.BF16, 301, 517),
            Fixtures.randomInt8(r, 301, 517),
            Fixtures.random4Bit(r, 301, 512, 64),
            // Inputs prepared once per matmul and shared by the pool's threads: int8-quantized
            // tokens, split-pair and unpack orders, group sums, an activation quantizer's output.
            Fixtures.randomInt8(r, 301, 512).withPrecision(ActivationPrecision.INT8),
            Fixtures.random4Bit(r, 301, 512, 64).withPrecision(ActivationPrecision.INT8),
            Fixtures.randomGrouped(r, 4, 301, 512, 128),
            withRoundingActivations(Fixtures.randomFp8(r, 301, 512, 1, 512)));
    for (WeightMatrix w : matrices) {
      int cols = w.cols();
      for (KernelBackend b : List.of(SCALAR, Kernels.backend())) {
        for (int tokens : new int[] {1, 9}) {
          float[] x = Fixtures.randomFloats(r, tokens * cols);
          float[] single = new float[tokens * 301];
          float[] pooled = new float[tokens * 301];
          b.matmul(w, x, 0, tokens, single, 0);
          for (int repeat = 0; repeat < 3; repeat++) {
            b.matmul(w, x, 0, tokens, pooled, 0, POOL);
            assertClose(
                single,
                pooled,
                b.name() + " " + w.getClass().getSimpleName() + " tokens " + tokens);
          }
          float[] split = new float[tokens * 301];
          b.matmulRows(w, x, 0, tokens, split, 0, 0, 151);
          b.matmulRows(w, x, 0, tokens, split, 0, 151, 301);
          assertClose(single, split, b.name() + " rows split at 151, tokens " + tokens);
        }
      }
    }
  }

  /** {@code w} with activations rounded to a grid of 1/16, a stand-in for a method's quantizer. */
  private static Fp8Matrix withRoundingActivations(Fp8Matrix w) {
    ActivationQuantizer sixteenths =
        (src, srcOff, tokens, cols, dst) -> {
          for (int i = 0; i < tokens * cols; i++) {
            dst[i] = Math.round(src[srcOff + i] * 16f) / 16f;
          }
        };
    return new Fp8Matrix(
        w.codes(), w.scales(), w.rows(), w.cols(), w.blockRows(), w.blockCols(), sixteenths);
  }

  @Test
  void anInputPreparedByOneBackendIsRefusedByAnother() {
    Random r = new Random(3);
    WeightMatrix w = Fixtures.randomInt8(r, 8, 64);
    float[] x = Fixtures.randomFloats(r, 64);
    for (KernelBackend other : Fixtures.panamaBackends()) {
      KernelBackend.PreparedInput in = SCALAR.prepare(w, x, 0, 1);
      assertSame(w, in.weight());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> other.matmulRows(in, new float[8], 0, 0, 8));
      assertTrue(e.getMessage().contains("another backend"), e.getMessage());
      KernelBackend.PreparedInput panama = other.prepare(w, x, 0, 1);
      assertThrows(
          IllegalArgumentException.class, () -> SCALAR.matmulRows(panama, new float[8], 0, 0, 8));
    }
  }

  /**
   * Equal within 8 float32 ulps of the larger magnitude plus 1e-4: the rounding of a reordered sum
   * of about 500 products of magnitude 1 (the absolute part covers sums that cancel to near 0).
   */
  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      float tolerance = 8 * Math.ulp(Math.max(Math.abs(expected[i]), Math.abs(actual[i]))) + 1e-4f;
      assertTrue(
          Math.abs(expected[i] - actual[i]) <= tolerance,
          what + ": index " + i + " expected " + expected[i] + " but was " + actual[i]);
    }
  }
}
