package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** pack_to_int32 / unpack_from_int32: the spec's worked layout, round trips, both dims. */
class Int32PackingTest {
  @Test
  void int4IsEightNibblesPerWordLowestFirstOffsetByEight() {
    byte[] q = new byte[16];
    for (int i = 0; i < 16; i++) {
      q[i] = (byte) (i - 8); // unsigned 0..15
    }
    int[] words = Int32Packing.packRows(q, 1, 16, 4);
    assertArrayEquals(new int[] {0x76543210, 0xFEDCBA98}, words);
    // the spec's formula: W[o, i] = ((packed[o, i / 8] >> (4 * (i % 8))) & 15) - 8
    for (int i = 0; i < 16; i++) {
      assertEquals(q[i], ((words[i / 8] >> (4 * (i % 8))) & 15) - 8);
    }
  }

  @Test
  void threeBitValuesSpillIntoTheNextWordWithoutPadding() {
    byte[] q = new byte[11];
    java.util.Arrays.fill(q, (byte) -4); // unsigned 0
    q[0] = 3; // unsigned 7 at bits 0..2
    q[10] = 3; // unsigned 7 at bits 30..32: two bits in word 0, one in word 1
    assertArrayEquals(new int[] {0xC0000007, 0x1}, Int32Packing.packRows(q, 1, 11, 3));
  }

  @Test
  void zeroPointsPackDownTheColumns() {
    // zero points [3 rows, 2 groups] at 4 bits: column g's stream holds rows 0, 1, 2.
    int[] zp = {-8, 7, 0, 1, 5, -1};
    int[] packed = Int32Packing.packColumns(zp, 3, 2, 4);
    assertArrayEquals(new int[] {0xD80, 0x79F}, packed);
    assertArrayEquals(zp, Int32Packing.unpackColumns(packed, 3, 2, 4));
  }

  @Property(tries = 200)
  void rowsRoundTripAtEveryWidth(
      @ForAll @IntRange(min = 1, max = 8) int bits,
      @ForAll @IntRange(min = 1, max = 5) int rows,
      @ForAll @IntRange(min = 1, max = 70) int cols,
      @ForAll long seed) {
    java.util.Random r = new java.util.Random(seed);
    byte[] q = new byte[rows * cols];
    int[] z = new int[rows * cols];
    for (int i = 0; i < q.length; i++) {
      q[i] = (byte) (r.nextInt(1 << bits) - (1 << (bits - 1)));
      z[i] = q[i];
    }
    int[] packed = Int32Packing.packRows(q, rows, cols, bits);
    assertEquals(rows * Math.ceilDiv(cols * bits, 32), packed.length);
    assertArrayEquals(q, Int32Packing.unpackRows(packed, rows, cols, bits));
    assertArrayEquals(
        z,
        Int32Packing.unpackColumns(
            Int32Packing.packColumns(z, rows, cols, bits), rows, cols, bits));
  }

  @Property(tries = 50)
  void powerOfTwoWidthsEqualTheLegacyValuesPerWordLayout(
      @ForAll @IntRange(min = 0, max = 3) int log2Bits, @ForAll long seed) {
    int bits = 1 << log2Bits;
    int per = 32 / bits;
    java.util.Random r = new java.util.Random(seed);
    byte[] q = new byte[3 * per];
    for (int i = 0; i < q.length; i++) {
      q[i] = (byte) (r.nextInt(1 << bits) - (1 << (bits - 1)));
    }
    int[] legacy = new int[3];
    for (int i = 0; i < q.length; i++) {
      legacy[i / per] |= ((q[i] + (1 << (bits - 1))) & ((1 << bits) - 1)) << (bits * (i % per));
    }
    assertArrayEquals(legacy, Int32Packing.packRows(q, 1, q.length, bits));
  }
}
