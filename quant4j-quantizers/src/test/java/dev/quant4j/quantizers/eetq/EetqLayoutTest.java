package dev.quant4j.quantizers.eetq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class EetqLayoutTest {
  @Property(tries = 30)
  void unpackInvertsPack(
      @ForAll @IntRange(min = 1, max = 4) int n64,
      @ForAll @IntRange(min = 1, max = 4) int k64,
      @ForAll long seed) {
    int n = 64 * n64;
    int k = 64 * k64;
    byte[] q = new byte[n * k];
    new Random(seed).nextBytes(q);
    byte[] stored = EetqLayout.pack(q, n, k);
    assertArrayEquals(q, EetqLayout.unpack(stored, n, k));
  }

  /** Single codes traced by hand through the four CUTLASS steps (K = N = 64). */
  @Test
  void individualCodesLandWhereThePreprocessingPutsThem() {
    int n = 64;
    int k = 64;
    // (out, in) -> stored byte. B = W^T, so W[o][i] is B[i][o].
    int[][] cases = {
      // B row 0 stays row 0; column 0, word 0, byte 0.
      {0, 0, 0},
      // B row 8 is permuted to row 2: word 0, byte 2 -> swapped to byte 1.
      {0, 8, 1},
      // B row 1 stays row 1: byte 1 -> swapped to byte 2.
      {0, 1, 2},
      // column 1 interleaves after column 0's 16 words: word 16.
      {1, 0, 64},
      // column 2 starts the second pair: word K/2 = 32.
      {2, 0, 128},
      // B row 16 (word 4 of column 0) stays in the first 64-row tile: word 4.
      {0, 16, 16},
    };
    for (int[] c : cases) {
      byte[] q = new byte[n * k];
      q[c[0] * k + c[1]] = 5;
      byte[] stored = EetqLayout.pack(q, n, k);
      assertEquals((byte) (5 + 128), stored[c[2]], "W[" + c[0] + "][" + c[1] + "]");
      assertEquals((byte) 0x80, stored[c[2] == 0 ? 1 : 0], "zero codes are stored as 128");
    }
  }
}
