package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A layout's activation quantizer runs on the input before the product, on every backend. */
class ActivationQuantizerTest {
  /** Rounds every activation to an integer: easy to apply by hand. */
  private static final ActivationQuantizer ROUND =
      (src, srcOff, tokens, cols, dst) -> {
        for (int i = 0; i < tokens * cols; i++) {
          dst[i] = Math.round(src[srcOff + i]);
        }
      };

  @Test
  void everyBackendAppliesTheQuantizerToTheInput() {
    Random r = new Random(5);
    Fp8Matrix plain = Fixtures.randomFp8(r, 7, 96, 1, 96);
    Fp8Matrix quantized = new Fp8Matrix(plain.codes(), plain.scales(), 7, 96, 1, 96, ROUND);
    int tokens = 3;
    float[] x = Fixtures.randomFloats(r, 2 + tokens * 96);
    for (int i = 0; i < x.length; i++) {
      x[i] *= 4;
    }
    float[] rounded = new float[2 + tokens * 96];
    for (int i = 2; i < x.length; i++) {
      rounded[i] = Math.round(x[i]);
    }
    List<KernelBackend> backends = new ArrayList<>(Fixtures.panamaBackends());
    backends.add(Fixtures.SCALAR);
    for (KernelBackend b : backends) {
      for (int t : new int[] {1, tokens}) {
        float[] expected = new float[t * 7];
        b.matmul(plain, rounded, 2, t, expected, 0);
        float[] got = new float[t * 7];
        b.matmul(quantized, x, 2, t, got, 0);
        assertArrayEquals(expected, got, b.name() + " tokens=" + t);
      }
    }
  }

  /** Not idempotent, so a quantizer applied twice (or not at all) shows. */
  private static final ActivationQuantizer DOUBLE =
      (src, srcOff, tokens, cols, dst) -> {
        for (int i = 0; i < tokens * cols; i++) {
          dst[i] = 2 * src[srcOff + i];
        }
      };

  @Test
  void theQuantizerRunsExactlyOncePerMatmulOnEveryLayoutAndThroughThePool() {
    Random r = new Random(9);
    int rows = 64;
    int cols = 256;
    Packed4BitMatrix nf4 = Fixtures.random4Bit(r, rows, cols, 64);
    Fp8Matrix fp8 = Fixtures.randomFp8(r, rows, cols, 1, cols);
    List<WeightMatrix[]> pairs =
        List.of(
            new WeightMatrix[] {
              fp8, new Fp8Matrix(fp8.codes(), fp8.scales(), rows, cols, 1, cols, DOUBLE)
            },
            new WeightMatrix[] {
              nf4,
              new Packed4BitMatrix(
                  nf4.codes(),
                  nf4.absmax(),
                  nf4.codebook(),
                  rows,
                  cols,
                  64,
                  nf4.precision(),
                  DOUBLE)
            });
    List<KernelBackend> backends = new ArrayList<>(Fixtures.panamaBackends());
    backends.add(Fixtures.SCALAR);
    try (Parallelism pool = Parallelism.ofThreads(2)) {
      for (WeightMatrix[] pair : pairs) {
        for (int t : new int[] {1, 5}) {
          float[] x = Fixtures.randomFloats(r, t * cols);
          float[] doubled = new float[x.length];
          for (int i = 0; i < x.length; i++) {
            doubled[i] = 2 * x[i];
          }
          for (KernelBackend b : backends) {
            float[] expected = new float[t * rows];
            b.matmul(pair[0], doubled, 0, t, expected, 0, pool);
            float[] got = new float[t * rows];
            b.matmul(pair[1], x, 0, t, got, 0, pool);
            String what = b.name() + " " + pair[0].getClass().getSimpleName() + " tokens=" + t;
            for (int i = 0; i < got.length; i++) {
              float tolerance = 1e-5f * Math.max(1f, Math.abs(expected[i]));
              assertEquals(expected[i], got[i], tolerance, what + " [" + i + "]");
            }
          }
        }
      }
    }
  }
}
