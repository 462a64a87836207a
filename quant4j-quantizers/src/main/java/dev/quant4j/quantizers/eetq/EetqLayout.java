package dev.quant4j.quantizers.eetq;

/**
 * EETQ's stored int8 weight order: what CUTLASS' {@code preprocess_weights_for_mixed_gemm} makes of
 * the row-major {@code [K = in, N = out]} codes {@code B = Wᵀ} on sm75..sm89 GPUs ({@code
 * ColumnMajorTileInterleave<64, 2>} with the {@code ldsm} row permutation), in closed form:
 *
 * <ol>
 *   <li>in each 16-row block of B the rows are permuted by {@code [0,1,8,9,2,3,10,11,4,5,12,13,6,7,
 *       14,15]};
 *   <li>the result is transposed to column-major ({@code T[n][k]});
 *   <li>read as 4-byte words {@code T[n][v]}, pairs of columns are interleaved in 64-row tiles:
 *       word {@code (n/2) * K/2 + 32 * (v/16) + 16 * (n%2) + v%16};
 *   <li>every byte gets 128 added (unsigned bias) and bytes 1 and 2 of every 4 are swapped.
 * </ol>
 *
 * The stored tensor is {@code [K, N]} bytes. Both dimensions must be multiples of 64 (the kernels'
 * and the preprocessing's requirement). Volta (sm70) files, which skip steps 1 and 3, cannot be
 * told apart from the bytes and are not read correctly.
 */
final class EetqLayout {
  private static final int[] PERM16 = {0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15};
  private static final int[] BYTE_SWAP = {0, 2, 1, 3};

  /** The tile both dimensions must be a multiple of. */
  static final int TILE = 64;

  private EetqLayout() {}

  static boolean fits(int n, int k) {
    return n > 0 && k > 0 && n % TILE == 0 && k % TILE == 0;
  }

  /** Where the code that lands at column {@code n}, permuted row {@code k} is stored. */
  private static int storedOffset(int n, int k, int kDim) {
    int v = k >>> 2;
    int word = (n >>> 1) * (kDim >>> 1) + 32 * (v >>> 4) + 16 * (n & 1) + (v & 15);
    return 4 * word + BYTE_SWAP[k & 3];
  }

  private static int permuted(int k) {
    return (k & ~15) + PERM16[k & 15];
  }

  /**
   * The stored bytes of the signed codes {@code q}, row-major {@code [n][k]} (the weight's own
   * orientation: out x in).
   */
  static byte[] pack(byte[] q, int nDim, int kDim) {
    byte[] out = new byte[q.length];
    for (int n = 0; n < nDim; n++) {
      for (int k = 0; k < kDim; k++) {
        out[storedOffset(n, k, kDim)] = (byte) (q[n * kDim + permuted(k)] ^ 0x80);
      }
    }
    return out;
  }

  /** The inverse of {@link #pack}: signed codes row-major {@code [n][k]}. */
  static byte[] unpack(byte[] stored, int nDim, int kDim) {
    byte[] q = new byte[stored.length];
    for (int n = 0; n < nDim; n++) {
      for (int k = 0; k < kDim; k++) {
        q[n * kDim + permuted(k)] = (byte) (stored[storedOffset(n, k, kDim)] ^ 0x80);
      }
    }
    return q;
  }
}
