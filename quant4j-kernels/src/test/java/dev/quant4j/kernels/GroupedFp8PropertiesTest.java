package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The selected backend against the scalar reference on random grouped and FP8 layouts: random code
 * widths, group and block sizes (vectorizable or not), rows, columns and tokens. The two results
 * may differ by the sum of their bounds against the definition ({@link ScaledBounds}).
 */
class GroupedFp8PropertiesTest {

  @Property(tries = 60)
  void groupedAgreesWithScalar(
      @ForAll @IntRange(min = 0, max = 2) int bitsIndex,
      @ForAll @IntRange(min = 1, max = 40) int groupUnits,
      @ForAll @IntRange(min = 1, max = 4) int groups,
      @ForAll @IntRange(min = 1, max = 9) int rows,
      @ForAll @IntRange(min = 1, max = 6) int tokens,
      @ForAll long seed) {
    int bits = new int[] {2, 4, 8}[bitsIndex];
    // Group sizes in steps of 4 (whole bytes at every code width): 8, 16, 32... are vectorizable
    // at some widths, 4, 12, 20... at none.
    int groupSize = 4 * groupUnits;
    Random r = new Random(seed);
    agrees(Fixtures.randomGrouped(r, bits, rows, groupSize * groups, groupSize), r, tokens);
  }

  @Property(tries = 60)
  void fp8AgreesWithScalar(
      @ForAll @IntRange(min = 1, max = 9) int rows,
      @ForAll @IntRange(min = 1, max = 400) int cols,
      @ForAll @IntRange(min = 1, max = 9) int blockRows,
      @ForAll @IntRange(min = 1, max = 200) int blockCols,
      @ForAll @IntRange(min = 1, max = 6) int tokens,
      @ForAll long seed) {
    Random r = new Random(seed);
    agrees(Fixtures.randomFp8(r, rows, cols, blockRows, blockCols), r, tokens);
  }

  private static void agrees(WeightMatrix w, Random r, int tokens) {
    KernelBackend b = Kernels.backend();
    int rows = w.rows();
    int n = w.cols();
    float[] x = Fixtures.randomFloats(r, tokens * n);
    float[] got = new float[tokens * rows];
    float[] expected = new float[tokens * rows];
    b.matmul(w, x, 0, tokens, got, 0);
    Fixtures.SCALAR.matmul(w, x, 0, tokens, expected, 0);
    for (int t = 0; t < tokens; t++) {
      for (int row = 0; row < rows; row++) {
        double exact = 0;
        for (int c = 0; c < n; c++) {
          exact += Fixtures.weight(w, row, c) * x[t * n + c];
        }
        int i = t * rows + row;
        double bound =
            ScaledBounds.bound(b, w, row, x, t * n, tokens, exact)
                + ScaledBounds.bound(Fixtures.SCALAR, w, row, x, t * n, tokens, exact);
        assertTrue(
            Math.abs(got[i] - expected[i]) <= bound,
            b.name()
                + " "
                + w
                + " token "
                + t
                + " row "
                + row
                + ": "
                + got[i]
                + " vs "
                + expected[i]);
      }
    }
  }
}
