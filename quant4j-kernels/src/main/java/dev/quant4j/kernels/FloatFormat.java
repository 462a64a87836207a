package dev.quant4j.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Element encodings of a {@link DenseMatrix}: all little-endian, as safetensors stores them. */
public enum FloatFormat {
  F32(4),
  BF16(2),
  F16(2);

  // Memory-mapped tensors start wherever the safetensors header put them: never assume alignment.
  static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final int bytes;

  FloatFormat(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /**
   * Reads element {@code index} (counted in elements, not bytes) as a float. Exact for all three
   * formats: bf16 and f16 values are all representable in f32. Meant for tails and references; the
   * backends' hot loops decode whole vectors.
   */
  public float get(MemorySegment data, long index) {
    return switch (this) {
      case F32 -> data.get(FLOAT_LE, index * 4);
      case BF16 -> bf16ToFloat(data.get(SHORT_LE, index * 2));
      case F16 -> Float.float16ToFloat(data.get(SHORT_LE, index * 2));
    };
  }

  /** bf16 is the upper half of an f32, so widening is a shift. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }
}
