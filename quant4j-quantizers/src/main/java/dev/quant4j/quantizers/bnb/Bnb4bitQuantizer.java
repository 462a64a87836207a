package dev.quant4j.quantizers.bnb;

import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Quantizes a weight to bitsandbytes' 4-bit format exactly as bitsandbytes 0.50 does on CPU (its
 * pure-torch {@code quantize_4bit} kernel, then {@code quantize_blockwise} in its C++ CPU library
 * for the double quantization), so the bytes equal what it writes.
 */
public final class Bnb4bitQuantizer {
  /** torch's {@code absmax.clamp(min=1e-38)}: an all-zero block scales to 0 instead of NaN. */
  private static final float MIN_ABSMAX = 1e-38f;

  private Bnb4bitQuantizer() {}

  /**
   * Quantizes the first {@code rows * cols} of {@code values} (a reusable buffer may be longer),
   * the row-major {@code [rows, cols]} weight as bitsandbytes sees it (the checkpoint's 16-bit
   * values widened to float32, which is exact); {@code dtype} is that checkpoint dtype, recorded in
   * the quant_state. {@code name} names the weight in errors.
   */
  public static Bnb4bitWeight quantize(
      String name,
      float[] values,
      int rows,
      int cols,
      BnbFloatType dtype,
      Bnb4bitSettings settings) {
    long n = (long) rows * cols;
    if (rows <= 0 || cols <= 0 || n > values.length) {
      throw new FormatException(
          null, name, "weight size does not match its shape", (long) rows * cols, values.length);
    }
    int packedBytes = Math.toIntExact(Math.ceilDiv(n, 2));
    if (packedBytes % settings.storage().itemBytes() != 0) {
      throw new NotSupportedException(
          name
              + ": "
              + packedBytes
              + " packed bytes as "
              + settings.storage().torchName()
              + " storage");
    }
    int blocksize = settings.blocksize();
    int blocks = Math.toIntExact(Math.ceilDiv(n, blocksize));
    FourBitEncoder encoder = settings.type().encoder();
    float[] absmax = new float[blocks];
    byte[] packed = new byte[packedBytes];
    for (int b = 0; b < blocks; b++) {
      int start = b * blocksize;
      int end = (int) Math.min(n, start + blocksize);
      float max = 0f;
      for (int i = start; i < end; i++) {
        float v = values[i];
        if (!Float.isFinite(v)) {
          throw new FormatException(
              null, name + "[" + i + "]", "weight is not finite", "a finite value", v);
        }
        max = Math.max(max, Math.abs(v));
      }
      absmax[b] = max;
      // torch computes 1 / absmax as a float32 reciprocal, then multiplies: not a division.
      float inv = 1f / Math.max(max, MIN_ABSMAX);
      for (int i = start; i < end; i++) {
        float x = Math.clamp(values[i] * inv, -1f, 1f);
        int code = encoder.encode(x);
        packed[i >>> 1] |= (byte) ((i & 1) == 0 ? code << 4 : code);
      }
    }
    if ((n & 1) != 0) {
      // The CPU kernel pads the scaled values with one 0.0 and quantizes it like any other.
      packed[packedBytes - 1] |= (byte) encoder.encode(0f);
    }
    Optional<NestedAbsmax> nested =
        settings.doubleQuant()
            ? Optional.of(NestedAbsmax.quantize(absmax, NestedAbsmax.DEFAULT_BLOCKSIZE))
            : Optional.empty();
    QuantState state =
        new QuantState(
            settings.type(),
            blocksize,
            dtype,
            rows,
            cols,
            nested.map(x -> new QuantState.Nested(x.blocksize(), x.offset())));
    return new Bnb4bitWeight(
        state,
        settings.storage(),
        MemorySegment.ofArray(packed),
        nested,
        absmax,
        state.toJsonBytes());
  }
}
