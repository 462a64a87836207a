package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Int8BlockActivations;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gemv of 4-bit grouped codes against int8 activations ({@link Int8BlockActivations} with
 * blocks equal to the weight groups), as llama.cpp's {@code Q4_0 x Q8_0}: a half-width byte load
 * zero-extended to {@code 2L} short lanes, nibbles freed with a mask and a shift, products of code
 * and activation code (at most {@code 15 * 127}) summed exactly in shorts over a group (groups of
 * {@code 8L} to {@code 32L} elements: 64 to 256 at 256 bits), then in ints; one float multiply-add
 * per group applies {@code scale * d}. Twice the lanes of the float kernel per instruction and half
 * the activation bytes.
 *
 * <p>{@code x} arrives fake-quantized (the backend applies the layer's quantizer first): quantizing
 * it again gives back the same codes, and scales within an ulp or two of the first ones.
 */
final class GroupedInt8Kernels {
  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

  /**
   * Products a short lane can sum: 16 x 15 x 127 = 30480. A group's products go to four short
   * accumulators, a lane of each taking one product per {@code 8L} elements, so groups of up to
   * {@code 32L} elements (256 at 256 bits) sum exactly in shorts; larger groups take the float
   * kernel (widening mid-group in a nested loop costs more than it saves).
   */
  private static final int SHORT_PRODUCTS = 16;

  private GroupedInt8Kernels() {}

  /** Per-thread activation codes, grown on demand and kept. */
  static final class Codes {
    private short[] codes = new short[0];

    short[] get(int size) {
      if (codes.length < size) {
        codes = new short[size];
      }
      return codes;
    }
  }

  // Species with 2L short lanes and 2L byte lanes. v.bits() is a constant once one width is
  // loaded (see Lanes), so each folds to one static final species, provided C2 inlines it: kept
  // under the 35 bytecodes C2 inlines whatever the call frequency (a switch here was left out of
  // line in some compilations, and every vector operation then ran boxed, 30x slower).
  private static VectorSpecies<Short> shorts(Lanes v) {
    int bits = v.bits();
    return bits == 256
        ? ShortVector.SPECIES_256
        : bits == 512 ? ShortVector.SPECIES_512 : ShortVector.SPECIES_128;
  }

  private static VectorSpecies<Byte> halfBytes(Lanes v) {
    int bits = v.bits();
    return bits == 256
        ? ByteVector.SPECIES_128
        : bits == 512 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_64;
  }

  /** Whether the gemv of {@code w} takes this kernel. */
  static boolean applies(Lanes v, GroupedIntMatrix w) {
    return w.bits() == 4
        && w.activations() instanceof Int8BlockActivations a
        && a.blockSize() == w.groupSize()
        && w.groupSize() % (8 * v.length()) == 0
        && w.groupSize() <= SHORT_PRODUCTS / 4 * 8 * v.length();
  }

  /**
   * One fake-quantized token {@code x[xOff, xOff + cols)} as int8 codes into {@code codes}, each
   * run of {@code 4L} elements as its even elements then its odd ones (the nibble order); each
   * group's scale {@code d} into {@code sums[g]} and its code sum into {@code sums[groups + g]}.
   */
  static void prepare(
      Lanes v, GroupedIntMatrix w, float[] x, int xOff, short[] codes, float[] sums) {
    int half = 2 * v.length();
    int groupSize = w.groupSize();
    int groups = w.groupsPerRow();
    for (int g = 0; g < groups; g++) {
      int c0 = g * groupSize;
      float amax = 0f;
      for (int c = c0; c < c0 + groupSize; c++) {
        amax = Math.max(amax, Math.abs(x[xOff + c]));
      }
      float d = Int8BlockActivations.scale(amax);
      int sum = 0;
      for (int run = c0; run < c0 + groupSize; run += 2 * half) {
        for (int i = 0; i < half; i++) {
          int even = Int8BlockActivations.code(x[xOff + run + 2 * i], d);
          int odd = Int8BlockActivations.code(x[xOff + run + 2 * i + 1], d);
          codes[run + i] = (short) even;
          codes[run + half + i] = (short) odd;
          sum += even + odd;
        }
      }
      sums[g] = d;
      sums[groups + g] = sum;
    }
  }

  /** Row {@code row} times the {@link #prepare}d token. */
  static float dot(Lanes v, GroupedIntMatrix w, int row, short[] codes, float[] sums) {
    VectorSpecies<Short> ss = shorts(v);
    VectorSpecies<Byte> hb = halfBytes(v);
    int s = ss.length();
    int unit = 4 * s;
    int groupSize = w.groupSize();
    int groups = w.groupsPerRow();
    MemorySegment weights = w.codes();
    long rowByte = (long) row * w.rowBytes();
    long firstGroup = (long) row * groups * 4;
    FloatVector even = v.zero(), odd = v.zero();
    float offsets = 0f;
    for (int g = 0; g < groups; g++) {
      ShortVector a0 = ShortVector.zero(ss), a1 = a0, a2 = a0, a3 = a0;
      for (int e = g * groupSize, end = e + groupSize; e < end; e += unit) {
        ShortVector b0 = widen(ss, ByteVector.fromMemorySegment(hb, weights, rowByte + e / 2, LE));
        ShortVector b1 =
            widen(ss, ByteVector.fromMemorySegment(hb, weights, rowByte + e / 2 + s, LE));
        a0 = b0.and((short) 15).mul(ShortVector.fromArray(ss, codes, e)).add(a0);
        a1 =
            b0.lanewise(VectorOperators.LSHR, 4)
                .mul(ShortVector.fromArray(ss, codes, e + s))
                .add(a1);
        a2 = b1.and((short) 15).mul(ShortVector.fromArray(ss, codes, e + 2 * s)).add(a2);
        a3 =
            b1.lanewise(VectorOperators.LSHR, 4)
                .mul(ShortVector.fromArray(ss, codes, e + 3 * s))
                .add(a3);
      }
      // Each int lane holds two short sums: add its sign-extended halves (no lane conversion).
      IntVector m = a0.add(a1).add(a2.add(a3)).reinterpretAsInts();
      IntVector acc =
          m.lanewise(VectorOperators.LSHL, 16)
              .lanewise(VectorOperators.ASHR, 16)
              .add(m.lanewise(VectorOperators.ASHR, 16));
      float scale = w.scales().get(FLOAT_LE, firstGroup + 4L * g) * sums[g];
      float zero = w.zeros().get(FLOAT_LE, firstGroup + 4L * g);
      FloatVector sum = (FloatVector) acc.convert(VectorOperators.I2F, 0);
      FloatVector sv = FloatVector.broadcast(v.floats(), scale);
      if ((g & 1) == 0) {
        even = sum.fma(sv, even);
      } else {
        odd = sum.fma(sv, odd);
      }
      offsets += zero * scale * sums[groups + g];
    }
    return even.add(odd).reduceLanes(VectorOperators.ADD) - offsets;
  }

  private static ShortVector widen(VectorSpecies<Short> ss, ByteVector b) {
    return (ShortVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2S, ss, 0);
  }
}
