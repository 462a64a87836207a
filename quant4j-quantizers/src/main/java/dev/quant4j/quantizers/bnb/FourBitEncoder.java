package dev.quant4j.quantizers.bnb;

import java.util.Arrays;

/**
 * Maps a scaled value in [-1, 1] to its 4-bit code the way bitsandbytes' CPU (pure torch) kernel
 * does: {@code bucketize} against the float32 midpoints of the table sorted by value, a value on a
 * midpoint going to the lower entry. For NF4 (already sorted) this is exactly the CUDA decision
 * tree. For FP4 the sort is stable with {@code -0.0 == +0.0}, so code 0 sorts before code 8 and a
 * tiny positive value lands on code 8, a tiny negative one on code 0: swapped against CUDA, but
 * both codes dequantize to zero.
 */
final class FourBitEncoder {
  private final float[] midpoints = new float[15];
  private final byte[] codeAtRank = new byte[16];

  FourBitEncoder(Codebook table) {
    float[] v = table.toArray();
    Integer[] order = new Integer[16];
    for (int i = 0; i < 16; i++) {
      order[i] = i;
    }
    // Comparing with < and > (not Float.compare) keeps -0.0 and +0.0 equal, as torch.sort does;
    // Arrays.sort on objects is stable, so equal values keep index order.
    Arrays.sort(order, (a, b) -> v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0);
    for (int r = 0; r < 16; r++) {
      codeAtRank[r] = (byte) (int) order[r];
    }
    for (int r = 0; r < 15; r++) {
      midpoints[r] = (v[order[r]] + v[order[r + 1]]) / 2f;
    }
  }

  /** The code of {@code x}, which the caller has already clamped to [-1, 1]. */
  int encode(float x) {
    // Branch-light binary search for #{midpoints < x} over 15 sorted entries.
    int rank = 0;
    if (x > midpoints[7]) {
      rank = 8;
    }
    if (x > midpoints[rank + 3]) {
      rank += 4;
    }
    if (x > midpoints[rank + 1]) {
      rank += 2;
    }
    if (x > midpoints[rank]) {
      rank += 1;
    }
    return codeAtRank[rank];
  }
}
