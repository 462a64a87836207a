package dev.quant4j.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of word encodings, one per tokenizer (never static). Text
 * repeats its words, so most words skip BPE entirely. The arrays it holds are never mutated.
 */
final class WordCache {
  /** Longer words are rare and would only evict useful entries. */
  static final int MAX_WORD_CHARS = 256;

  private final Map<String, int[]> map;

  WordCache(int capacity) {
    this.map =
        new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized int[] get(String word) {
    return map.get(word);
  }

  synchronized void put(String word, int[] ids) {
    if (word.length() <= MAX_WORD_CHARS) {
      map.put(word, ids);
    }
  }
}
