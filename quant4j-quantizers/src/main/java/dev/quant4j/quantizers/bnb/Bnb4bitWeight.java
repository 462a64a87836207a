package dev.quant4j.quantizers.bnb;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A bitsandbytes 4-bit (NF4 or FP4) weight {@code [rows, cols]}: codes packed two per byte in
 * row-major order, the earlier element in the high nibble, one scale per block of {@link
 * #blocksize()} consecutive elements. Immutable; the packed bytes may be a view into a memory map.
 */
public final class Bnb4bitWeight {
  private final QuantState state;
  private final QuantStorage storage;
  private final MemorySegment packed;
  private final float[] absmax;
  private final Optional<NestedAbsmax> nested;
  private final byte[] quantStateJson;

  Bnb4bitWeight(
      QuantState state,
      QuantStorage storage,
      MemorySegment packed,
      Optional<NestedAbsmax> nested,
      float[] plainAbsmax,
      byte[] quantStateJson) {
    long n = (long) state.rows() * state.cols();
    if (packed.byteSize() != Math.ceilDiv(n, 2)) {
      throw new IllegalStateException(packed.byteSize() + " packed bytes for " + n + " codes");
    }
    this.state = state;
    this.storage = storage;
    this.packed = packed.asReadOnly();
    this.nested = nested;
    this.absmax = nested.map(NestedAbsmax::dequantize).orElse(plainAbsmax);
    this.quantStateJson = quantStateJson;
    if (absmax.length != Math.ceilDiv(n, state.blocksize())) {
      throw new IllegalStateException(absmax.length + " absmax for " + n + " codes");
    }
  }

  public Bnb4bitType type() {
    return state.type();
  }

  public int blocksize() {
    return state.blocksize();
  }

  /** The dtype the weight was quantized from, and dequantizes back to. */
  public BnbFloatType dtype() {
    return state.dtype();
  }

  public int rows() {
    return state.rows();
  }

  public int cols() {
    return state.cols();
  }

  public QuantStorage storage() {
    return storage;
  }

  public QuantState quantState() {
    return state;
  }

  /** The {@code ceil(rows*cols/2)} packed bytes, read-only. */
  public MemorySegment packed() {
    return packed;
  }

  /** The effective float32 scale of each block (after undoing double quantization). */
  public float[] absmax() {
    return absmax.clone();
  }

  /** The scale of block {@code b}, without copying. */
  public float absmax(int b) {
    return absmax[b];
  }

  /** The double-quantized absmax as stored, when the weight uses double quantization. */
  public Optional<NestedAbsmax> nested() {
    return nested;
  }

  /** The quant_state JSON bytes as read (or as bitsandbytes would write them, once quantized). */
  public byte[] quantStateJson() {
    return quantStateJson.clone();
  }

  /** The 4-bit code of element {@code f = row * cols + col}. */
  public int code(long f) {
    int b = packed.get(java.lang.foreign.ValueLayout.JAVA_BYTE, f >>> 1);
    return (f & 1) == 0 ? (b >>> 4) & 0xF : b & 0xF;
  }
}
