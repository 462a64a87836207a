package dev.quant4j.kernels.panama;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species of one vector width, derived once: float lanes {@code L}, ints with the same lane
 * count (codes, bf16 bit patterns), shorts with {@code L} lanes (bf16/f16 loads), bytes with {@code
 * max(L, 8)} lanes (the narrowest byte species), and the constant shuffles of 4-bit unpacking.
 */
final class Lanes {
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  final int bits;
  final int length;
  final VectorSpecies<Float> floats;
  final VectorSpecies<Integer> ints;
  final VectorSpecies<Short> shorts;
  final VectorSpecies<Byte> bytes;

  /** How many float vectors of {@code length} lanes hold the 16-entry codebook. */
  final int tableParts;

  /** {@code floor(log2(length))}: shifts a code to its table part. */
  final int lengthLog2;

  /** Int vectors per byte vector when widening bytes to ints. */
  final int bytePartsPerLoad;

  /** Lane {@code i} takes int lane {@code i / 2}: each byte feeds two consecutive elements. */
  final VectorShuffle<Integer> duplicateLow;

  /** As {@link #duplicateLow} for the upper half of the int lanes. */
  final VectorShuffle<Integer> duplicateHigh;

  /** 4 for even lanes (high nibble = first element), 0 for odd lanes. */
  final IntVector nibbleShifts;

  Lanes(int bits) {
    if (bits != 128 && bits != 256 && bits != 512) {
      throw new IllegalArgumentException(
          "Panama backend: expected a vector width of 128, 256 or 512 bits, got " + bits);
    }
    this.bits = bits;
    this.floats = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    this.length = floats.length();
    this.ints = VectorSpecies.of(int.class, VectorShape.forBitSize(bits));
    this.shorts = VectorSpecies.of(short.class, VectorShape.forBitSize(bits / 2));
    this.bytes = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, bits / 4)));
    this.tableParts = Math.max(1, 16 / length);
    this.lengthLog2 = Integer.numberOfTrailingZeros(length);
    this.bytePartsPerLoad = bytes.length() / length;
    int[] low = new int[length];
    int[] high = new int[length];
    int[] shifts = new int[length];
    for (int i = 0; i < length; i++) {
      low[i] = i / 2;
      high[i] = length / 2 + i / 2;
      shifts[i] = (i & 1) == 0 ? 4 : 0;
    }
    this.duplicateLow = VectorShuffle.fromArray(ints, low, 0);
    this.duplicateHigh = VectorShuffle.fromArray(ints, high, 0);
    this.nibbleShifts = IntVector.fromArray(ints, shifts, 0);
  }

  /** A zero float vector. */
  FloatVector zero() {
    return FloatVector.zero(floats);
  }
}
