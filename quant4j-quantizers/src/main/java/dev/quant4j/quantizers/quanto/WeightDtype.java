package dev.quant4j.quantizers.quanto;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.FormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The float dtype a quanto weight is computed and stored in: every elementwise torch op on a bf16
 * or f16 tensor runs in float32 and is rounded to the tensor's dtype (round half to even), so
 * {@link #round} after each op reproduces quanto's scales and codes bit for bit.
 */
enum WeightDtype {
  BF16(DType.BF16),
  F16(DType.F16),
  F32(DType.F32);

  private static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final DType dtype;

  WeightDtype(DType dtype) {
    this.dtype = dtype;
  }

  DType dtype() {
    return dtype;
  }

  static WeightDtype of(Path file, String tensor, DType d) {
    return switch (d) {
      case BF16 -> BF16;
      case F16 -> F16;
      case F32 -> F32;
      default ->
          throw new FormatException(
              file, tensor, "quanto computes in a float dtype", "BF16, F16 or F32", d);
    };
  }

  /** {@code x} rounded to this dtype (round half to even; f16 overflows to infinity). */
  float round(float x) {
    return switch (this) {
      case BF16 -> FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(x));
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(x));
      case F32 -> x;
    };
  }

  int bytes() {
    return this == F32 ? 4 : 2;
  }

  /** Little-endian bytes of {@code values}, each already representable in this dtype. */
  byte[] encode(float[] values) {
    byte[] out = new byte[values.length * bytes()];
    MemorySegment seg = MemorySegment.ofArray(out);
    for (int i = 0; i < values.length; i++) {
      switch (this) {
        case BF16 -> seg.setAtIndex(I16_LE, i, FloatConversions.floatToBf16(values[i]));
        case F16 -> seg.setAtIndex(I16_LE, i, Float.floatToFloat16(values[i]));
        case F32 -> seg.setAtIndex(F32_LE, i, values[i]);
      }
    }
    return out;
  }

  /** The {@code n} values stored little-endian in {@code data}. */
  float[] decode(MemorySegment data, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] =
          switch (this) {
            case BF16 -> FloatConversions.bf16ToFloat(data.getAtIndex(I16_LE, i));
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16_LE, i));
            case F32 -> data.getAtIndex(F32_LE, i);
          };
    }
    return out;
  }
}
