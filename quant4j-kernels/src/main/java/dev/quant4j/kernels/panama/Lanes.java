package dev.quant4j.kernels.panama;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species of one vector width: float lanes {@code L}, ints with the same lane count (codes,
 * bf16 bit patterns), shorts with {@code L} lanes (bf16/f16 loads) and bytes with {@code max(L, 8)}
 * lanes (the narrowest byte species; int8 and 4-bit loads).
 *
 * <p>Why a subclass per width with {@code static final} species: C2 intrinsifies a Vector API call
 * only when the species is a compile-time constant; a species read from an instance field makes
 * every call take the boxed Java fallback, 10-20x slower than scalar code. The kernels are static
 * methods taking a {@code Lanes}; the accessors below are abstract, and on a JVM where one width is
 * loaded (production: only the preferred width is ever instantiated, classes load lazily) class
 * hierarchy analysis binds them to that subclass, so each returns a constant. Tests that load
 * several widths in one JVM stay correct, only slower.
 */
abstract sealed class Lanes permits Lanes.W128, Lanes.W256, Lanes.W512 {
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** The lanes of a width: 128, 256 or 512 bits. */
  static Lanes of(int bits) {
    return switch (bits) {
      case 128 -> new W128();
      case 256 -> new W256();
      case 512 -> new W512();
      default ->
          throw new IllegalArgumentException(
              "Panama backend: expected a vector width of 128, 256 or 512 bits, got " + bits);
    };
  }

  abstract int bits();

  /** Float lanes {@code L}. */
  abstract int length();

  abstract VectorSpecies<Float> floats();

  /** {@code L} int lanes. */
  abstract VectorSpecies<Integer> ints();

  /** {@code L} short lanes (half the width). */
  abstract VectorSpecies<Short> shorts();

  /** {@code max(L, 8)} byte lanes: one load of int8 codes or packed 4-bit pairs. */
  abstract VectorSpecies<Byte> bytes();

  /** Int (or float) vectors of {@code L} lanes in one byte load: 2 at 128 bits, else 1. */
  final int bytePartsPerLoad() {
    return bytes().length() / length();
  }

  /** A zero float vector. */
  final FloatVector zero() {
    return FloatVector.zero(floats());
  }

  static final class W128 extends Lanes {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_128;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_64;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;

    @Override
    int bits() {
      return 128;
    }

    @Override
    int length() {
      return 4;
    }

    @Override
    VectorSpecies<Float> floats() {
      return FLOATS;
    }

    @Override
    VectorSpecies<Integer> ints() {
      return INTS;
    }

    @Override
    VectorSpecies<Short> shorts() {
      return SHORTS;
    }

    @Override
    VectorSpecies<Byte> bytes() {
      return BYTES;
    }
  }

  static final class W256 extends Lanes {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;

    @Override
    int bits() {
      return 256;
    }

    @Override
    int length() {
      return 8;
    }

    @Override
    VectorSpecies<Float> floats() {
      return FLOATS;
    }

    @Override
    VectorSpecies<Integer> ints() {
      return INTS;
    }

    @Override
    VectorSpecies<Short> shorts() {
      return SHORTS;
    }

    @Override
    VectorSpecies<Byte> bytes() {
      return BYTES;
    }
  }

  static final class W512 extends Lanes {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;

    @Override
    int bits() {
      return 512;
    }

    @Override
    int length() {
      return 16;
    }

    @Override
    VectorSpecies<Float> floats() {
      return FLOATS;
    }

    @Override
    VectorSpecies<Integer> ints() {
      return INTS;
    }

    @Override
    VectorSpecies<Short> shorts() {
      return SHORTS;
    }

    @Override
    VectorSpecies<Byte> bytes() {
      return BYTES;
    }
  }
}
