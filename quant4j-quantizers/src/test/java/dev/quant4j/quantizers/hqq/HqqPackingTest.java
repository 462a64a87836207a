package dev.quant4j.quantizers.hqq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HqqPackingTest {
  @Property(tries = 60)
  void packThenUnpackGivesTheCodesBack(
      @ForAll HqqPacking packing,
      @ForAll @IntRange(min = 1, max = 12) int wordRows,
      @ForAll @IntRange(min = 1, max = 9) int cols,
      @ForAll long seed) {
    int perWord = packing == HqqPacking.THREE ? 10 : 8 / packing.bits();
    // 3-bit rows need not be a multiple of ten: hqq pads them.
    int rows = packing == HqqPacking.THREE ? wordRows * 10 - (int) (seed & 7) : wordRows * perWord;
    byte[] q = codes(rows * cols, packing.bits(), seed);
    byte[] packed = packing.pack(q, rows, cols);
    assertEquals(packing.packedBytes(rows, cols), packed.length);
    assertArrayEquals(q, packing.unpack(MemorySegment.ofArray(packed), rows, cols));
  }

  @Property(tries = 40)
  void kernelCodesRoundTrip(
      @ForAll @IntRange(min = 0, max = 2) int which, @ForAll @IntRange(min = 1, max = 50) int n4) {
    int bits = new int[] {2, 4, 8}[which];
    byte[] q = codes(n4 * 4, bits, n4);
    byte[] packed = KernelCodes.pack(q, bits);
    assertArrayEquals(q, KernelCodes.unpack(MemorySegment.ofArray(packed), bits, q.length));
  }

  /** The spec's worked layout: the first half of the rows goes to the high nibble. */
  @Test
  void fourBitPutsTheFirstHalfOfTheRowsInTheHighNibble() {
    byte[] q = {1, 2, 3, 4, 5, 6, 7, 8}; // [4, 2]
    byte[] p = HqqPacking.FOUR.pack(q, 4, 2);
    assertArrayEquals(new byte[] {0x15, 0x26, 0x37, 0x48}, p);
  }

  @Test
  void oneAndTwoBitPackInSlicesFromTheTopBits() {
    byte[] q2 = {3, 0, 1, 2}; // [4, 1]
    assertArrayEquals(new byte[] {(byte) 0b11_00_01_10}, HqqPacking.TWO.pack(q2, 4, 1));
    byte[] q1 = {1, 0, 0, 0, 0, 0, 0, 1}; // [8, 1]
    assertArrayEquals(new byte[] {(byte) 0b1000_0001}, HqqPacking.ONE.pack(q1, 8, 1));
  }

  @Test
  void threeBitPadsToTenRowsAndShiftsFrom27() {
    byte[] q = {7, 1, 2}; // [3, 1]: padded to 10 rows, one int32 word
    byte[] p = HqqPacking.THREE.pack(q, 3, 1);
    int word =
        MemorySegment.ofArray(p)
            .get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
    assertEquals((7 << 27) | (1 << 24) | (2 << 21), word);
  }

  private static byte[] codes(int n, int bits, long seed) {
    Random r = new Random(seed);
    byte[] q = new byte[n];
    for (int i = 0; i < n; i++) {
      q[i] = (byte) r.nextInt(1 << bits);
    }
    return q;
  }
}
