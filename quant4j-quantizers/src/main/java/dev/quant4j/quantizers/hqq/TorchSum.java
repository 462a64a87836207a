package dev.quant4j.quantizers.hqq;

/**
 * Sums float32 values in the order ATen's CPU {@code cascade_sum} uses for a contiguous inner
 * reduction ({@code torch.sum}/{@code torch.mean} over the last dimension), so that HQQ's zero
 * points, which are such means, come out with the same bits as on a PyTorch CPU.
 *
 * <p>ATen reads the row as vectors of {@link #lanes()} floats (8 with AVX2, 16 with AVX-512), keeps
 * four vector accumulators (its "ilp factor") in a four-level cascade, adds the scalar tail and
 * then the lanes one after the other. A row shorter than one vector goes through the same cascade
 * with scalars. Stateless and thread-safe.
 */
final class TorchSum {
  private static final int ILP = 4;
  private static final int LEVELS = 4;

  /** ATen's AVX2 kernels, the ones the golden files were written with. */
  static final TorchSum AVX2 = new TorchSum(8);

  /** ATen's AVX-512 kernels. */
  static final TorchSum AVX512 = new TorchSum(16);

  private final int lanes;

  TorchSum(int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be positive, got " + lanes);
    }
    this.lanes = lanes;
  }

  int lanes() {
    return lanes;
  }

  /** The float32 sum of {@code x[from .. from + n)}. */
  float sum(float[] x, int from, int n) {
    if (n < lanes) {
      return rowSum(x, from, 1, n)[0];
    }
    int vectors = n / lanes;
    if (vectors / ILP < 1 << 4) {
      return shortRow(x, from, n, vectors);
    }
    return cascade(x, from, n);
  }

  /** {@link #sum} through the general cascade, whatever the length. */
  float cascade(float[] x, int from, int n) {
    if (n < lanes) {
      return rowSum(x, from, 1, n)[0];
    }
    int vectors = n / lanes;
    float[] partial = rowSum(x, from, lanes, vectors);
    float acc = 0f;
    for (int k = vectors * lanes; k < n; k++) {
      acc += x[from + k];
    }
    for (int l = 0; l < lanes; l++) {
      acc += partial[l];
    }
    return acc;
  }

  /**
   * {@link #sum} for rows too short for the cascade's first level (under {@code 4 * 16} vectors,
   * every group size up to 512 with AVX2): the same additions in the same order, without arrays.
   */
  private float shortRow(float[] x, int from, int n, int vectors) {
    int rows = vectors / ILP;
    float acc = 0f;
    for (int k = vectors * lanes; k < n; k++) {
      acc += x[from + k];
    }
    for (int l = 0; l < lanes; l++) {
      int at = from + l;
      float p0 = 0f;
      float p1 = 0f;
      float p2 = 0f;
      float p3 = 0f;
      for (int i = 0; i < rows; i++) {
        int base = at + i * ILP * lanes;
        p0 += x[base];
        p1 += x[base + lanes];
        p2 += x[base + 2 * lanes];
        p3 += x[base + 3 * lanes];
      }
      for (int v = rows * ILP; v < vectors; v++) {
        p0 += x[at + v * lanes];
      }
      p0 += p1;
      p0 += p2;
      p0 += p3;
      acc += p0;
    }
    return acc;
  }

  /** {@code row_sum}: {@code count} blocks of {@code width} floats into one block of sums. */
  private static float[] rowSum(float[] x, int from, int width, int count) {
    int rows = count / ILP;
    float[][] acc = multiRowSum(x, from, width, rows);
    for (int i = rows * ILP; i < count; i++) {
      add(acc[0], x, from + i * width);
    }
    for (int k = 1; k < ILP; k++) {
      for (int l = 0; l < width; l++) {
        acc[0][l] += acc[k][l];
      }
    }
    return acc[0];
  }

  /**
   * {@code multi_row_sum} with four rows: block {@code i * 4 + k} goes to accumulator {@code k},
   * through a cascade of levels each holding {@code 2^levelPower} blocks' worth.
   */
  private static float[][] multiRowSum(float[] x, int from, int width, int size) {
    int levelPower = Math.max(4, ceilLog2(size) / LEVELS);
    int levelStep = 1 << levelPower;
    long levelMask = levelStep - 1;
    float[][][] acc = new float[LEVELS][ILP][width];
    int i = 0;
    while (i + levelStep <= size) {
      for (int j = 0; j < levelStep; j++, i++) {
        for (int k = 0; k < ILP; k++) {
          add(acc[0][k], x, from + (i * ILP + k) * width);
        }
      }
      for (int j = 1; j < LEVELS; j++) {
        for (int k = 0; k < ILP; k++) {
          for (int l = 0; l < width; l++) {
            acc[j][k][l] += acc[j - 1][k][l];
            acc[j - 1][k][l] = 0f;
          }
        }
        if ((i & (levelMask << (j * levelPower))) != 0) {
          break;
        }
      }
    }
    for (; i < size; i++) {
      for (int k = 0; k < ILP; k++) {
        add(acc[0][k], x, from + (i * ILP + k) * width);
      }
    }
    for (int j = 1; j < LEVELS; j++) {
      for (int k = 0; k < ILP; k++) {
        for (int l = 0; l < width; l++) {
          acc[0][k][l] += acc[j][k][l];
        }
      }
    }
    return acc[0];
  }

  private static void add(float[] acc, float[] x, int at) {
    for (int l = 0; l < acc.length; l++) {
      acc[l] += x[at + l];
    }
  }

  /** c10's {@code CeilLog2}: 1 up to 2, else the bits of {@code x - 1}. */
  private static int ceilLog2(int x) {
    return x <= 2 ? 1 : 32 - Integer.numberOfLeadingZeros(x - 1);
  }
}
