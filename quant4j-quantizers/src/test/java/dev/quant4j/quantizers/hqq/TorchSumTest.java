package dev.quant4j.quantizers.hqq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TorchSumTest {
  /** 64 values with AVX2, written out: lane l sums x[l], x[8+l], ... in ATen's ILP-4 order. */
  @Test
  void sixtyFourValuesFollowAtensOrder() {
    Random r = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      float[] x = new float[64];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
      }
      float acc = 0f;
      for (int l = 0; l < 8; l++) {
        float p0 = x[l] + x[32 + l];
        float p1 = x[8 + l] + x[40 + l];
        float p2 = x[16 + l] + x[48 + l];
        float p3 = x[24 + l] + x[56 + l];
        acc += ((p0 + p1) + p2) + p3;
      }
      assertEquals(
          Float.floatToIntBits(acc),
          Float.floatToIntBits(TorchSum.AVX2.sum(x, 0, 64)),
          "trial " + trial);
    }
  }

  /** The order matters: a sequential sum of these gives 0, ATen's gives 2. */
  @Test
  void orderIsNotSequential() {
    float[] x = new float[64];
    x[0] = 1e8f;
    x[1] = 1f;
    x[2] = 1f;
    x[32] = -1e8f;
    float sequential = 0f;
    for (float v : x) {
      sequential += v;
    }
    assertEquals(0f, sequential);
    assertEquals(2f, TorchSum.AVX2.sum(x, 0, 64));
  }

  @Property(tries = 100)
  void shortRowsAgreeWithTheGeneralCascade(
      @ForAll @IntRange(min = 1, max = 700) int n,
      @ForAll @IntRange(min = 0, max = 5) int offset,
      @ForAll boolean avx512,
      @ForAll long seed) {
    Random r = new Random(seed);
    float[] x = new float[n + offset];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
    }
    TorchSum sum = avx512 ? TorchSum.AVX512 : TorchSum.AVX2;
    assertEquals(
        Float.floatToIntBits(sum.cascade(x, offset, n)),
        Float.floatToIntBits(sum.sum(x, offset, n)));
  }

  @Test
  void longRowsStayWithinFloatRoundingOfTheExactSum() {
    Random r = new Random(3);
    float[] x = new float[100_003];
    double exact = 0;
    double abs = 0;
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
      exact += x[i];
      abs += Math.abs(x[i]);
    }
    float s = TorchSum.AVX2.sum(x, 0, x.length);
    // A cascade's error grows with log n, far below n * 2^-24.
    assertEquals(exact, s, abs * 1e-6);
  }
}
