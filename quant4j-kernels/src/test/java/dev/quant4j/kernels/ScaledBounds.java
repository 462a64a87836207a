package dev.quant4j.kernels;

/**
 * Rigorous rounding bounds of a matmul output for the group- and block-scaled layouts ({@link
 * GroupedIntMatrix}, {@link Fp8Matrix}), against a double evaluation of the definition on the
 * float-rounded weights ({@link Fixtures#weight}).
 *
 * <ul>
 *   <li>Every backend sums each group or block apart and scales the partial once, so a product
 *       passes through at most {@code groups} more additions than a plain dot and its weight is
 *       rounded differently from the float weight (at most {@code 3u} relative): {@code dotBound(n,
 *       S) + (groups + 3) u S + 2u |exact|}, {@code S = sum |w x|}.
 *   <li>Panama's grouped gemv computes {@code sum_g s_g (sum_c q_c x_c - z_g sum_c x_c)}: the same
 *       chains apply, but to {@code P + Z} with {@code P = sum |q s x|} and {@code Z = sum |z s x|}
 *       instead of {@code S}, because the two sums cancel only after rounding.
 * </ul>
 */
final class ScaledBounds {
  private ScaledBounds() {}

  /** Scale groups (or blocks) along one row. */
  static int groups(WeightMatrix w) {
    return switch (w) {
      case GroupedIntMatrix q -> q.groupsPerRow();
      case Fp8Matrix q -> q.blocksPerRow();
      default -> 1;
    };
  }

  /**
   * The bound on {@code |got - exact|} for row {@code row} of {@code w} times {@code x[xOff, xOff +
   * cols)}, computed by {@code b} in a matmul of {@code tokens} tokens.
   */
  static double bound(
      KernelBackend b, WeightMatrix w, int row, float[] x, int xOff, int tokens, double exact) {
    int n = w.cols();
    double sumAbs = 0;
    double affine = 0;
    for (int c = 0; c < n; c++) {
      sumAbs += Math.abs(Fixtures.weight(w, row, c) * x[xOff + c]);
      if (w instanceof GroupedIntMatrix q) {
        int g = c / q.groupSize();
        double s = Math.abs((double) q.scale(row, g));
        affine += s * (q.code(row, c) + Math.abs((double) q.zero(row, g))) * Math.abs(x[xOff + c]);
      }
    }
    boolean cancels = w instanceof GroupedIntMatrix && Fixtures.lanes(b) > 1 && tokens == 1;
    double s = cancels ? affine : sumAbs;
    int groups = groups(w);
    return Fixtures.dotBound(b, n, s)
        + 1.01 * (groups + 3) * Fixtures.U * s
        + 2 * Fixtures.U * Math.abs(exact);
  }
}
