package dev.quant4j.tokenizer;

import java.util.Arrays;

/**
 * BPE merges keyed by the pair of token ids they join: open addressing over primitive arrays, since
 * a boxed map of 280k Long keys would dominate both load time and the encode loop. Immutable once
 * built.
 */
final class MergeTable {
  private static final long EMPTY = -1L;

  private final long[] keys;
  private final int[] ranks;
  private final int[] results;
  private final int mask;

  private MergeTable(int capacity) {
    int size = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
    keys = new long[size];
    Arrays.fill(keys, EMPTY);
    ranks = new int[size];
    results = new int[size];
    mask = size - 1;
  }

  /**
   * Builds the table from parallel arrays: merge {@code r} joins {@code left[r]} and {@code
   * right[r]} into {@code result[r]}, with priority {@code r} (lower merges first). When a pair is
   * listed twice the first (best) rank wins, as in Hugging Face.
   */
  static MergeTable of(int[] left, int[] right, int[] result) {
    MergeTable t = new MergeTable(left.length);
    for (int r = 0; r < left.length; r++) {
      t.putIfAbsent(key(left[r], right[r]), r, result[r]);
    }
    return t;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & mask;
  }

  private void putIfAbsent(long key, int rank, int result) {
    int i = slot(key, mask);
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    ranks[i] = rank;
    results[i] = result;
  }

  /** The slot of the pair, or -1 when the two tokens do not merge. */
  int find(int left, int right) {
    long key = key(left, right);
    int i = slot(key, mask);
    while (keys[i] != EMPTY) {
      if (keys[i] == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** The rank (priority; lower merges first) of the pair found at {@code slot}. */
  int rankAt(int slot) {
    return ranks[slot];
  }

  /** The token that the pair found at {@code slot} merges into. */
  int resultAt(int slot) {
    return results[slot];
  }
}
