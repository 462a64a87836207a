package dev.quant4j.quantizers.bnb;

import java.util.Arrays;

/**
 * The double-quantized form of a 4-bit weight's block absmax, as serialized: the absmax minus their
 * mean ({@code offset}), quantized to 8-bit codes ({@code weight.absmax}, uint8) in blocks of
 * {@code blocksize} (256) with the dynamic map, whose per-block absmax is {@code
 * weight.nested_absmax}. Kept as read so that saving reproduces the file byte for byte.
 */
public final class NestedAbsmax {
  /** The nested block size transformers always uses. */
  public static final int DEFAULT_BLOCKSIZE = 256;

  private final byte[] codes;
  private final float[] nestedAbsmax;
  private final float offset;
  private final int blocksize;

  NestedAbsmax(byte[] codes, float[] nestedAbsmax, float offset, int blocksize) {
    if (nestedAbsmax.length != Math.ceilDiv(codes.length, blocksize)) {
      throw new IllegalStateException(
          nestedAbsmax.length
              + " nested absmax for "
              + codes.length
              + " codes of block "
              + blocksize);
    }
    this.codes = codes;
    this.nestedAbsmax = nestedAbsmax;
    this.offset = offset;
    this.blocksize = blocksize;
  }

  /**
   * Double-quantizes block absmax values as bitsandbytes does: offset = their float32 mean, then
   * 8-bit blockwise quantization of {@code absmax - offset}.
   */
  static NestedAbsmax quantize(float[] absmax, int blocksize) {
    float offset = mean(absmax);
    float[] centered = new float[absmax.length];
    for (int i = 0; i < absmax.length; i++) {
      centered[i] = absmax[i] - offset;
    }
    DynamicBlockwise.Result r =
        DynamicBlockwise.quantize(centered, blocksize, BnbCodebooks.DYNAMIC_8BIT);
    return new NestedAbsmax(r.codes(), r.absmax(), offset, blocksize);
  }

  /**
   * torch's float32 mean: the sum rounded to float32, divided by the count in float32. torch sums
   * in an implementation-defined order; summing in double first makes the sum exact for the absmax
   * of 16-bit weights (few significant bits), which is what torch gets too in practice.
   */
  static float mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return (float) sum / (float) values.length;
  }

  /** The effective block absmax: {@code map[code] * nested_absmax[b / blocksize] + offset}. */
  public float[] dequantize() {
    float[] out =
        DynamicBlockwise.dequantize(codes, nestedAbsmax, blocksize, BnbCodebooks.DYNAMIC_8BIT);
    for (int i = 0; i < out.length; i++) {
      out[i] += offset;
    }
    return out;
  }

  /** The 8-bit codes, one per 4-bit block (the uint8 {@code weight.absmax} tensor). */
  public byte[] codes() {
    return codes.clone();
  }

  /** One float32 absmax per block of {@link #blocksize()} codes. */
  public float[] nestedAbsmax() {
    return nestedAbsmax.clone();
  }

  /** The mean subtracted before quantizing ({@code nested_offset} of the quant_state JSON). */
  public float offset() {
    return offset;
  }

  public int blocksize() {
    return blocksize;
  }

  int codeCount() {
    return codes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NestedAbsmax n
        && blocksize == n.blocksize
        && Float.floatToRawIntBits(offset) == Float.floatToRawIntBits(n.offset)
        && Arrays.equals(codes, n.codes)
        && Arrays.equals(nestedAbsmax, n.nestedAbsmax);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(codes) + Arrays.hashCode(nestedAbsmax) + Float.hashCode(offset);
  }
}
