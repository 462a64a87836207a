package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
}
