package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The grouped and FP8 vector paths on the shapes real checkpoints use, which the odd sizes of
 * {@link MatmulConformanceTest} mostly miss: groups that are whole byte loads at some widths and
 * not at others (16 and 48 split a 512-bit load of 2-bit codes), odd numbers of loads per group
 * (the unrolled loop's remainder), one group per row; FP8 per-channel, per-tensor and 128x128
 * blocks with a partial last block. Each output within {@link ScaledBounds}.
 */
class GroupedFp8ConformanceTest {

  /** Group size, groups per row. */
  private static final int[][] GROUPINGS = {
    {16, 1}, {32, 3}, {48, 2}, {64, 1}, {128, 3}, {256, 2}, {520, 1}
  };

  /** Block rows, block cols, cols (0 block size: the whole dimension). */
  private static final int[][] BLOCKINGS = {
    {1, 0, 520}, {0, 0, 136}, {128, 128, 300}, {4, 128, 256}, {2, 24, 100}, {3, 7, 31}
  };

  static Stream<Arguments> grouped() {
    List<Arguments> out = new ArrayList<>();
    for (KernelBackend b : backends()) {
      for (int bits : new int[] {2, 4, 8}) {
        for (int[] g : GROUPINGS) {
          for (int tokens : new int[] {1, 5}) {
            out.add(Arguments.of(b, bits, g[0], g[1], tokens));
          }
        }
      }
    }
    return out.stream();
  }

  static Stream<Arguments> fp8() {
    List<Arguments> out = new ArrayList<>();
    for (KernelBackend b : backends()) {
      for (int[] blocks : BLOCKINGS) {
        for (int tokens : new int[] {1, 5}) {
          out.add(Arguments.of(b, blocks[0], blocks[1], blocks[2], tokens));
        }
      }
    }
    return out.stream();
  }

  private static List<KernelBackend> backends() {
    List<KernelBackend> list = new ArrayList<>(Fixtures.panamaBackends());
    list.add(Fixtures.SCALAR);
    return list;
  }

  @ParameterizedTest(name = "{0} int{1} groups of {2} x{3} tokens={4}")
  @MethodSource("grouped")
  void groupedWithinBound(KernelBackend b, int bits, int groupSize, int groups, int tokens) {
    Random r = new Random(17L * groupSize + 5L * bits + groups + tokens);
    int rows = 11;
    GroupedIntMatrix w = Fixtures.randomGrouped(r, bits, rows, groupSize * groups, groupSize);
    check(b, w, r, tokens);
  }

  @ParameterizedTest(name = "{0} fp8 blocks {1}x{2} cols={3} tokens={4}")
  @MethodSource("fp8")
  void fp8WithinBound(KernelBackend b, int blockRows, int blockCols, int cols, int tokens) {
    Random r = new Random(13L * cols + blockCols + tokens);
    int rows = 11;
    Fp8Matrix w =
        Fixtures.randomFp8(
            r, rows, cols, blockRows == 0 ? rows : blockRows, blockCols == 0 ? cols : blockCols);
    check(b, w, r, tokens);
  }

  private static void check(KernelBackend b, WeightMatrix w, Random r, int tokens) {
    int rows = w.rows();
    int n = w.cols();
    float[] x = Fixtures.randomFloats(r, 2 + tokens * n);
    float[] out = new float[1 + tokens * rows];
    b.matmul(w, x, 2, tokens, out, 1);
    for (int t = 0; t < tokens; t++) {
      for (int row = 0; row < rows; row++) {
        double exact = 0;
        for (int c = 0; c < n; c++) {
          exact += Fixtures.weight(w, row, c) * x[2 + t * n + c];
        }
        double got = out[1 + t * rows + row];
        double bound = ScaledBounds.bound(b, w, row, x, 2 + t * n, tokens, exact);
        assertTrue(
            Math.abs(got - exact) <= bound,
            b.name() + " token " + t + " row " + row + ": " + got + " vs " + exact + " bound "
                + bound);
      }
    }
  }
}
