package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The float type compressed-tensors computes a weight's quantization parameters in: the weight's
 * own (bf16, f16 or f32), since it divides and subtracts tensors of that dtype. Every intermediate
 * of {@code calculate_qparams} and {@code _quantize} is rounded to it, as torch rounds each
 * operation's float result back to the tensor's dtype; mirroring that is what makes the codes
 * byte-identical.
 */
enum ScaleDtype {
  F32(DType.F32, 0x1p-23f),
  BF16(DType.BF16, 0x1p-7f),
  F16(DType.F16, 0x1p-10f);

  private static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final DType dtype;
  private final float eps;

  ScaleDtype(DType dtype, float eps) {
    this.dtype = dtype;
    this.eps = eps;
  }

  /**
   * The dtype compressed-tensors gives the scales of a weight of {@code weightDtype} ({@code
   * initialize_qparams}: the weight's if it is a float type, else float16).
   */
  static ScaleDtype forWeight(DType weightDtype) {
    return switch (weightDtype) {
      case F32 -> F32;
      case BF16 -> BF16;
      default -> F16;
    };
  }

  /** The scale dtype of a stored scale tensor, or null when it is none of the three. */
  static ScaleDtype ofStored(DType stored) {
    return switch (stored) {
      case F32 -> F32;
      case BF16 -> BF16;
      case F16 -> F16;
      default -> null;
    };
  }

  DType dtype() {
    return dtype;
  }

  /** {@code torch.finfo(dtype).eps}: what a zero scale is replaced with. */
  float eps() {
    return eps;
  }

  /** {@code v} rounded to this dtype (round to nearest even), as a float. */
  float round(float v) {
    return switch (this) {
      case F32 -> v;
      case BF16 -> FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(v));
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
    };
  }

  /** {@code values}, each already representable in this dtype, as its little-endian bytes. */
  MemorySegment encode(float[] values) {
    MemorySegment out = MemorySegment.ofArray(new byte[values.length * dtype.bits() / 8]);
    for (int i = 0; i < values.length; i++) {
      switch (this) {
        case F32 -> out.setAtIndex(F32_LE, i, values[i]);
        case BF16 -> out.setAtIndex(I16_LE, i, FloatConversions.floatToBf16(values[i]));
        case F16 -> out.setAtIndex(I16_LE, i, Float.floatToFloat16(values[i]));
      }
    }
    return out;
  }
}
