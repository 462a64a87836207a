package dev.quant4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The BPE model: splits a word into characters and applies merges lowest rank first, through a
 * priority queue over a linked list of symbols (O(n log n) per word), as Hugging Face's {@code
 * Word::merge_all} does, so that ties and stale queue entries resolve the same way.
 *
 * <p>Thread-safe: the tables are immutable and the word cache synchronizes.
 */
final class Bpe {
  private final Map<String, Integer> vocab;
  private final MergeTable merges;
  private final int unkId;
  private final boolean fuseUnk;
  private final boolean ignoreMerges;
  private final String prefix;
  private final String suffix;
  private final int[] byteTokens; // id of <0xNN>, or null without byte fallback
  private final WordCache cache = new WordCache(10_000);

  /**
   * @param unkId the unknown token, or -1 to drop characters outside the vocabulary (what Hugging
   *     Face does when no {@code unk_token} is set)
   * @param continuingSubwordPrefix prepended to every character but a word's first ("" for none)
   * @param endOfWordSuffix appended to a word's last character ("" for none)
   * @param byteTokens ids of {@code <0x00>..<0xFF>} when byte fallback is on (-1 where missing),
   *     else null
   */
  Bpe(
      Map<String, Integer> vocab,
      MergeTable merges,
      int unkId,
      boolean fuseUnk,
      boolean ignoreMerges,
      String continuingSubwordPrefix,
      String endOfWordSuffix,
      int[] byteTokens) {
    this.vocab = vocab;
    this.merges = merges;
    this.unkId = unkId;
    this.fuseUnk = fuseUnk;
    this.ignoreMerges = ignoreMerges;
    this.prefix = continuingSubwordPrefix;
    this.suffix = endOfWordSuffix;
    this.byteTokens = byteTokens == null ? null : byteTokens.clone();
  }

  /** Appends the ids of {@code word} to {@code out}. */
  void encode(String word, IntList out) {
    if (ignoreMerges) {
      Integer whole = vocab.get(word);
      if (whole != null) {
        out.add(whole);
        return;
      }
    }
    int[] cached = cache.get(word);
    if (cached == null) {
      cached = merge(word);
      cache.put(word, cached);
    }
    out.addAll(cached);
  }

  private int[] merge(String word) {
    int len = word.length();
    // Byte fallback can turn one char into 4 symbols.
    int[] ids = new int[byteTokens == null ? len : 4 * len];
    int n = 0;
    boolean previousUnk = false;
    boolean affixes = !prefix.isEmpty() || !suffix.isEmpty();
    for (int i = 0; i < len; ) {
      int cp = word.codePointAt(i);
      int end = i + Character.charCount(cp);
      String ch = word.substring(i, end);
      String piece = affixes ? (i == 0 ? "" : prefix) + ch + (end == len ? suffix : "") : ch;
      i = end;
      Integer id = vocab.get(piece);
      if (id != null) {
        ids[n++] = id;
        previousUnk = false;
      } else if (byteTokens != null && allBytesKnown(ch)) {
        for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
          ids[n++] = byteTokens[b & 0xFF];
        }
        previousUnk = false;
      } else if (unkId >= 0) {
        if (!(fuseUnk && previousUnk)) {
          ids[n++] = unkId;
        }
        previousUnk = true;
      }
    }
    return applyMerges(ids, n);
  }

  private boolean allBytesKnown(String ch) {
    for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
      if (byteTokens[b & 0xFF] < 0) {
        return false;
      }
    }
    return true;
  }

  private int[] applyMerges(int[] ids, int n) {
    if (n < 2) {
      return java.util.Arrays.copyOf(ids, n);
    }
    int[] prev = new int[n];
    int[] next = new int[n];
    LongMinHeap queue = new LongMinHeap(n);
    for (int i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      if (i + 1 < n) {
        enqueue(queue, ids[i], ids[i + 1], i);
      }
    }
    int alive = n;
    while (!queue.isEmpty()) {
      long top = queue.pop();
      int rank = (int) (top >>> 32);
      int pos = (int) top;
      int right = next[pos];
      if (ids[pos] < 0 || right < 0) {
        continue;
      }
      int slot = merges.find(ids[pos], ids[right]);
      if (slot < 0 || merges.rankAt(slot) != rank) {
        continue; // stale: a neighbour changed since this pair was queued
      }
      ids[pos] = merges.resultAt(slot);
      ids[right] = -1;
      alive--;
      next[pos] = next[right];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
        enqueue(queue, ids[pos], ids[next[pos]], pos);
      }
      if (prev[pos] >= 0) {
        enqueue(queue, ids[prev[pos]], ids[pos], prev[pos]);
      }
    }
    int[] result = new int[alive];
    for (int i = 0, k = 0; i >= 0; i = next[i]) {
      result[k++] = ids[i];
    }
    return result;
  }

  private void enqueue(LongMinHeap queue, int left, int right, int pos) {
    int slot = merges.find(left, right);
    if (slot >= 0) {
      queue.push(((long) merges.rankAt(slot) << 32) | pos);
    }
  }
}
