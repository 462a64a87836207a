package dev.quant4j.kernels.panama;

import static dev.quant4j.kernels.Int8Activations.CHUNK;
import static dev.quant4j.kernels.panama.Lanes.LE;

import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.Codebook;
import dev.quant4j.kernels.Int8Activations;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Gemv of {@link ActivationPrecision#INT8} layouts: the token quantized once per matmul into the
 * caller's {@link PanamaInput} ({@link Int8Activations} semantics, bit for bit), then per chunk of
 * 32 an exact integer dot product in registers and one float multiply-add by the chunk's scale.
 *
 * <p>Integer products: weights and activations sign-extend from bytes to short lanes ({@code
 * vpmovsxbw}), multiply in shorts (each product at most {@code 128 * 127}, so two of them still fit
 * a short), and each int lane then adds its two short halves. 4-bit codes index the int8 codebook
 * with one 16-byte table lookup ({@code pshufb}) per 16 codes; activations come split into the
 * high-nibble (even) and low-nibble (odd) elements of each chunk, the order the nibbles unpack in,
 * as {@link Packed4Kernels} does for floats.
 *
 * <p>Shapes whose chunks do not fall on whole rows and blocks ({@code cols} not a multiple of 32;
 * 4-bit blocks not a multiple of 32 or straddling rows) run the scalar reference of {@link
 * Int8Activations}.
 */
final class Int8ActivationKernels {
  private static final float ROUNDER = 12582912f; // 1.5 * 2^23: x + ROUNDER rounds x half to even
  private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Int8Lanes v;

  Int8ActivationKernels(int bits) {
    this.v = Int8Lanes.of(bits);
  }

  static boolean chunked(int cols) {
    return cols % CHUNK == 0;
  }

  /** Rows made of whole blocks of whole chunks (bitsandbytes' 64-element blocks on any model). */
  static boolean packed4Vectorizable(Packed4BitMatrix w) {
    return w.blockSize() % CHUNK == 0 && w.cols() % w.blockSize() == 0;
  }

  /** Whether {@code w} multiplies int8-quantized activations. */
  static boolean applies(WeightMatrix w) {
    return switch (w) {
      case Int8RowMatrix q -> q.precision() == ActivationPrecision.INT8;
      case Packed4BitMatrix q -> q.precision() == ActivationPrecision.INT8;
      default -> false;
    };
  }

  /**
   * The float layout prefill multiplies instead of {@code w}: the integer path's products are those
   * of the fake-quantized tokens with the weights as the integer path sees them (4-bit: the
   * codebook rounded to its int8 steps), so the float kernels reproduce it up to float rounding and
   * keep the gemm's register blocking.
   */
  static WeightMatrix floatTwin(WeightMatrix w) {
    return switch (w) {
      case Int8RowMatrix q -> q.withPrecision(ActivationPrecision.F32);
      case Packed4BitMatrix q ->
          new Packed4BitMatrix(
              q.codes(),
              q.absmax(),
              q.codebook().roundedToInt8(),
              q.rows(),
              q.cols(),
              q.blockSize(),
              ActivationPrecision.F32);
      default -> throw new IllegalStateException("no int8-activation kernel for " + w);
    };
  }

  /**
   * Quantizes the one token of a gemv into {@code in}, and for vectorizable 4-bit blocks also its
   * split-chunk order and the int8 codebook table: once per matmul, before its rows are shared out.
   */
  void prepareGemv(WeightMatrix w, float[] x, int xOff, PanamaInput in) {
    int n = w.cols();
    in.ensureQuantized(n);
    quantize(x, xOff, n, in.wide, in.q, in.scales);
    if (w instanceof Packed4BitMatrix p && packed4Vectorizable(p)) {
      splitChunks(in.q, n, in.qSplit);
      for (int i = 0; i < Codebook.SIZE; i++) {
        in.table[i] = p.codebook().int8Code(i);
      }
      in.step = p.codebook().int8Step();
    }
  }

  /** The rows {@code [from, to)} of a gemv that {@link #prepareGemv} prepared. */
  void gemvRows(WeightMatrix w, PanamaInput in, float[] out, int outOff, int from, int to) {
    switch (w) {
      case Int8RowMatrix q -> int8Gemv(q, in, out, outOff, from, to);
      case Packed4BitMatrix q -> packed4Gemv(q, in, out, outOff, from, to);
      default -> throw new IllegalStateException("no int8-activation kernel for " + w);
    }
  }

  /**
   * {@link Int8Activations#fakeQuantize}, vectorized over whole chunks with the same float
   * operations (so the same values); a row's partial last chunk takes the reference.
   */
  void fakeQuantize(float[] x, int xOff, int tokens, int cols, float[] dst) {
    VectorSpecies<Float> f = v.floats();
    int l = f.length();
    int whole = cols - cols % CHUNK;
    for (int t = 0; t < tokens; t++) {
      int src = xOff + t * cols;
      int row = t * cols;
      for (int c0 = 0; c0 < whole; c0 += CHUNK) {
        FloatVector m = FloatVector.fromArray(f, x, src + c0).abs();
        for (int c = c0 + l; c < c0 + CHUNK; c += l) {
          m = m.max(FloatVector.fromArray(f, x, src + c).abs());
        }
        float amax = m.reduceLanes(VectorOperators.MAX);
        float inv = Int8Activations.inverse(amax);
        float d = amax / 127f;
        for (int c = c0; c < c0 + CHUNK; c += l) {
          FloatVector.fromArray(f, x, src + c)
              .mul(inv)
              .add(ROUNDER)
              .sub(ROUNDER)
              .mul(d)
              .intoArray(dst, row + c);
        }
      }
      if (whole < cols) {
        float amax = 0f;
        for (int c = whole; c < cols; c++) {
          amax = Math.max(amax, Math.abs(x[src + c]));
        }
        float inv = Int8Activations.inverse(amax);
        float d = amax / 127f;
        for (int c = whole; c < cols; c++) {
          dst[row + c] = (float) Math.rint(x[src + c] * inv) * d;
        }
      }
    }
  }

  private void int8Gemv(
      Int8RowMatrix w, PanamaInput in, float[] out, int outOff, int from, int to) {
    int n = w.cols();
    if (!chunked(n)) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = w.rowFactor(r) * Int8Activations.int8Dot(w, r, in.q, 0, in.scales, 0);
      }
      return;
    }
    for (int r = from; r < to; r++) {
      out[outOff + r] = w.rowFactor(r) * int8Dot(w, r, in.q, in.scales);
    }
  }

  private void packed4Gemv(
      Packed4BitMatrix w, PanamaInput in, float[] out, int outOff, int from, int to) {
    if (!packed4Vectorizable(w)) {
      for (int r = from; r < to; r++) {
        out[outOff + r] = Int8Activations.packed4Dot(w, r, in.q, 0, in.scales, 0);
      }
      return;
    }
    for (int r = from; r < to; r++) {
      out[outOff + r] = packed4Dot(w, in.table, in.step, r, in.qSplit, in.scales);
    }
  }

  /**
   * {@link Int8Activations#quantize} of one token, vectorized where a chunk is whole: the same
   * float operations (exact maximum, one multiply, round half to even by adding 1.5 * 2^23), so the
   * same codes.
   */
  private void quantize(float[] x, int xOff, int n, int[] wide, short[] q, float[] scales) {
    VectorSpecies<Float> f = v.floats();
    int l = f.length();
    int whole = n - n % CHUNK;
    for (int c0 = 0, k = 0; c0 < whole; c0 += CHUNK, k++) {
      FloatVector m = FloatVector.fromArray(f, x, xOff + c0).abs();
      for (int c = c0 + l; c < c0 + CHUNK; c += l) {
        m = m.max(FloatVector.fromArray(f, x, xOff + c).abs());
      }
      float amax = m.reduceLanes(VectorOperators.MAX);
      float inv = Int8Activations.inverse(amax);
      for (int c = c0; c < c0 + CHUNK; c += l) {
        IntVector bits =
            FloatVector.fromArray(f, x, xOff + c)
                .mul(inv)
                .add(ROUNDER)
                .reinterpretAsInts()
                .sub(ROUNDER_BITS);
        // Narrowing int to short lanes (I2S) is not intrinsified at every shape: go through ints.
        bits.intoArray(wide, c);
      }
      scales[k] = amax / 127f;
    }
    for (int c = 0; c < whole; c++) {
      q[c] = (short) wide[c];
    }
    if (whole < n) {
      Int8Activations.quantize(x, xOff + whole, n - whole, q, whole, scales, whole / CHUNK);
    }
  }

  /** Each chunk of 32 as its 16 even elements, then its 16 odd ones (the nibble order). */
  private static void splitChunks(short[] q, int n, short[] dst) {
    for (int c0 = 0; c0 < n; c0 += CHUNK) {
      for (int j = 0; j < CHUNK / 2; j++) {
        dst[c0 + j] = q[c0 + 2 * j];
        dst[c0 + CHUNK / 2 + j] = q[c0 + 2 * j + 1];
      }
    }
  }

  /** Sums each int lane's two short halves: {@code p} holds pairs of products. */
  private static IntVector pairSums(ShortVector p) {
    IntVector pair = p.reinterpretAsInts();
    return pair.lanewise(VectorOperators.LSHL, 16)
        .lanewise(VectorOperators.ASHR, 16)
        .add(pair.lanewise(VectorOperators.ASHR, 16));
  }

  private static FloatVector toFloat(IntVector i) {
    return (FloatVector) i.convert(VectorOperators.I2F, 0);
  }

  /** Row {@code row}, unscaled by the row factor; {@code cols % 32 == 0}. */
  private float int8Dot(Int8RowMatrix w, int row, short[] q, float[] scales) {
    VectorSpecies<Short> ss = v.shorts();
    int sl = ss.length();
    int parts = Int8Lanes.CODES.length() / sl;
    int n = w.cols();
    MemorySegment codes = w.codes();
    long base = (long) row * n;
    FloatVector acc = FloatVector.zero(v.floats());
    for (int c0 = 0, k = 0; c0 < n; c0 += CHUNK, k++) {
      ByteVector b0 = ByteVector.fromMemorySegment(Int8Lanes.CODES, codes, base + c0, LE);
      ByteVector b1 = ByteVector.fromMemorySegment(Int8Lanes.CODES, codes, base + c0 + 16, LE);
      IntVector isum = IntVector.zero(v.ints());
      for (int p = 0; p < parts; p++) {
        ShortVector w0 = (ShortVector) b0.convertShape(VectorOperators.B2S, ss, p);
        ShortVector w1 = (ShortVector) b1.convertShape(VectorOperators.B2S, ss, p);
        ShortVector x0 = ShortVector.fromArray(ss, q, c0 + p * sl);
        ShortVector x1 = ShortVector.fromArray(ss, q, c0 + 16 + p * sl);
        isum = isum.add(pairSums(w0.mul(x0).add(w1.mul(x1))));
      }
      acc = toFloat(isum).fma(FloatVector.broadcast(v.floats(), scales[k]), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /**
   * Row {@code row} against split-chunk activations; requires {@link #packed4Vectorizable}, so the
   * row starts a block and each block holds whole chunks.
   */
  private float packed4Dot(
      Packed4BitMatrix w, byte[] int8Codes, float step, int row, short[] q, float[] scales) {
    // The table is loaded in each row's call, not passed in as a vector: a vector argument of a
    // call C2 does not inline is boxed, an allocation per call. From an array, not the codebook's
    // read-only segment: lookups in a table loaded from a heap segment measured 50% slower.
    if (v instanceof Int8Lanes.Wide && Integer.bitCount(w.blockSize() / CHUNK) == 1) {
      return packed4DotWide(w, int8Codes, step, row, q, scales);
    }
    ByteVector table = ByteVector.fromArray(Int8Lanes.CODES, int8Codes, 0);
    VectorSpecies<Short> ss = v.shorts();
    int sl = ss.length();
    int parts = Int8Lanes.CODES.length() / sl;
    int n = w.cols();
    int blockSize = w.blockSize();
    MemorySegment codes = w.codes();
    long first = (long) row * n;
    long firstBlock = first / blockSize;
    FloatVector acc = FloatVector.zero(v.floats());
    for (int c = 0, b = 0; c < n; c += blockSize, b++) {
      float blockScale = w.absmax(firstBlock + b) * step;
      for (int c0 = c, end = c + blockSize; c0 < end; c0 += CHUNK) {
        ByteVector bytes =
            ByteVector.fromMemorySegment(Int8Lanes.CODES, codes, (first + c0) >>> 1, LE);
        ByteVector wl = bytes.and((byte) 0x0F).selectFrom(table);
        ByteVector wh =
            bytes
                .reinterpretAsShorts()
                .lanewise(VectorOperators.LSHR, 4)
                .reinterpretAsBytes()
                .and((byte) 0x0F)
                .selectFrom(table);
        IntVector isum = IntVector.zero(v.ints());
        for (int p = 0; p < parts; p++) {
          ShortVector h = (ShortVector) wh.convertShape(VectorOperators.B2S, ss, p);
          ShortVector l = (ShortVector) wl.convertShape(VectorOperators.B2S, ss, p);
          ShortVector xh = ShortVector.fromArray(ss, q, c0 + p * sl);
          ShortVector xl = ShortVector.fromArray(ss, q, c0 + CHUNK / 2 + p * sl);
          isum = isum.add(pairSums(h.mul(xh).add(l.mul(xl))));
        }
        float factor = scales[c0 / CHUNK] * blockScale;
        acc = toFloat(isum).fma(FloatVector.broadcast(v.floats(), factor), acc);
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /**
   * {@link #packed4Dot} at 256-bit lanes with the species as constants: one chunk is one 16-byte
   * load and one 16-lane short vector per nibble half (measured 30-40% faster than the generic
   * form, whose part loop and species C2 reaches through a profiled call).
   */
  private static float packed4DotWide(
      Packed4BitMatrix w, byte[] table, float step, int row, short[] q, float[] scales) {
    int n = w.cols();
    long first = (long) row * n;
    return packed4DotWide(
        w.codes(),
        w.absmax(),
        first,
        n,
        first / w.blockSize(),
        w.blockSize(),
        table,
        step,
        q,
        scales);
  }

  private static float packed4DotWide(
      MemorySegment codes,
      MemorySegment absmax,
      long first,
      int n,
      long firstBlock,
      int blockSize,
      byte[] int8Codes,
      float step,
      short[] q,
      float[] scales) {
    VectorSpecies<Short> ss = ShortVector.SPECIES_256;
    VectorSpecies<Float> fs = FloatVector.SPECIES_256;
    // One flat loop over chunks (a nested loop over the two chunks of a 64-block measured twice
    // as slow); the block of chunk k is k >> shift, blocks being a power-of-two count of chunks.
    int shift = Integer.numberOfTrailingZeros(blockSize / CHUNK);
    ByteVector table = ByteVector.fromArray(Int8Lanes.CODES, int8Codes, 0);
    FloatVector acc = FloatVector.zero(fs);
    for (int c0 = 0, k = 0; c0 < n; c0 += CHUNK, k++) {
      ByteVector bytes =
          ByteVector.fromMemorySegment(Int8Lanes.CODES, codes, (first + c0) >>> 1, LE);
      ByteVector wl = bytes.and((byte) 0x0F).selectFrom(table);
      ByteVector wh =
          bytes
              .reinterpretAsShorts()
              .lanewise(VectorOperators.LSHR, 4)
              .reinterpretAsBytes()
              .and((byte) 0x0F)
              .selectFrom(table);
      ShortVector h = (ShortVector) wh.convertShape(VectorOperators.B2S, ss, 0);
      ShortVector l = (ShortVector) wl.convertShape(VectorOperators.B2S, ss, 0);
      ShortVector xh = ShortVector.fromArray(ss, q, c0);
      ShortVector xl = ShortVector.fromArray(ss, q, c0 + CHUNK / 2);
      IntVector isum = pairSums(h.mul(xh).add(l.mul(xl)));
      float blockScale = absmax.get(F32_LE, (firstBlock + (k >>> shift)) * 4) * step;
      FloatVector factor = FloatVector.broadcast(fs, scales[k] * blockScale);
      acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(factor, acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }
}
