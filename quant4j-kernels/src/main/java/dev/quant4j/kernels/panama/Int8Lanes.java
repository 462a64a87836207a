package dev.quant4j.kernels.panama;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species of the int8-activation kernels ({@link Int8ActivationKernels}): codes and the int8
 * codebook always as 16-byte vectors (one {@code pshufb}/{@code tbl} table lookup; one chunk of 32
 * 4-bit codes), widened to short lanes of the full vector width, products paired into int lanes.
 * Wider than 256 bits buys nothing here (a chunk is 32 elements), so 512-bit backends use the
 * 256-bit species. One subclass per width with {@code static final} species, for the reason given
 * in {@link Lanes}.
 */
abstract sealed class Int8Lanes permits Int8Lanes.Narrow, Int8Lanes.Wide {
  /** 16 bytes: one chunk of 4-bit codes, half a chunk of int8 codes, the 16-entry table. */
  static final VectorSpecies<Byte> CODES = ByteVector.SPECIES_128;

  static Int8Lanes of(int bits) {
    return bits == 128 ? new Narrow() : new Wide();
  }

  /** Short lanes: 8 or 16. */
  abstract VectorSpecies<Short> shorts();

  /** Int lanes, the same bit size as {@link #shorts()}. */
  abstract VectorSpecies<Integer> ints();

  /** Float lanes, as many as {@link #ints()}. */
  abstract VectorSpecies<Float> floats();

  static final class Narrow extends Int8Lanes {
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_128;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_128;

    @Override
    VectorSpecies<Short> shorts() {
      return SHORTS;
    }

    @Override
    VectorSpecies<Integer> ints() {
      return INTS;
    }

    @Override
    VectorSpecies<Float> floats() {
      return FLOATS;
    }
  }

  static final class Wide extends Int8Lanes {
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;

    @Override
    VectorSpecies<Short> shorts() {
      return SHORTS;
    }

    @Override
    VectorSpecies<Integer> ints() {
      return INTS;
    }

    @Override
    VectorSpecies<Float> floats() {
      return FLOATS;
    }
  }
}
