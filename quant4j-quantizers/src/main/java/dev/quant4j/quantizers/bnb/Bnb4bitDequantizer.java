package dev.quant4j.quantizers.bnb;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The scalar reference dequantization of 4-bit weights: {@code W[f] = table[code(f)] * absmax[f /
 * blocksize]}, the product in float32 as bitsandbytes' CPU kernel computes it, then one rounding to
 * the target type.
 */
public final class Bnb4bitDequantizer {
  private Bnb4bitDequantizer() {}

  /** The row-major float32 products, before any cast. */
  public static float[] dequantize(Bnb4bitWeight w) {
    return dequantize(w, BnbFloatType.FLOAT32);
  }

  /** The row-major weight rounded to {@code target}, as {@code dequantize_4bit(..., dtype)}. */
  public static float[] dequantize(Bnb4bitWeight w, BnbFloatType target) {
    int n = Math.multiplyExact(w.rows(), w.cols());
    float[] table = w.type().codebook().toArray();
    MemorySegment packed = w.packed();
    int blocksize = w.blocksize();
    float[] out = new float[n];
    for (int start = 0, b = 0; start < n; start += blocksize, b++) {
      float scale = w.absmax(b);
      int end = Math.min(n, start + blocksize);
      for (int f = start; f < end; f++) {
        int byt = packed.get(ValueLayout.JAVA_BYTE, f >>> 1);
        int code = (f & 1) == 0 ? (byt >>> 4) & 0xF : byt & 0xF;
        out[f] = target.round(table[code] * scale);
      }
    }
    return out;
  }
}
