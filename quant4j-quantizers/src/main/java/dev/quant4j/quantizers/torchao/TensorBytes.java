package dev.quant4j.quantizers.torchao;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian float tensors in a model dtype, and rounding to that dtype as torch does. */
final class TensorBytes {
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private TensorBytes() {}

  /** The dtype scales are stored in for weights of {@code dtype}: the same, or F32. */
  static DType floatDtype(DType dtype) {
    return dtype == DType.BF16 || dtype == DType.F16 ? dtype : DType.F32;
  }

  /** {@code v} rounded to {@code dtype} as torch's {@code .to(dtype)} does. */
  static float roundTo(DType dtype, float v) {
    return switch (dtype) {
      case BF16 -> FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(v));
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
      default -> v;
    };
  }

  /** {@code values} (already representable in {@code dtype}) as a stored tensor. */
  static StoredTensor floats(String suffix, DType dtype, Shape shape, float[] values) {
    int width = dtype == DType.F32 ? 4 : 2;
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * width]);
    for (int i = 0; i < values.length; i++) {
      switch (dtype) {
        case BF16 -> seg.setAtIndex(I16_LE, i, FloatConversions.floatToBf16(values[i]));
        case F16 -> seg.setAtIndex(I16_LE, i, Float.floatToFloat16(values[i]));
        default -> seg.setAtIndex(F32_LE, i, values[i]);
      }
    }
    return new StoredTensor(suffix, dtype, shape, seg.asReadOnly());
  }

  /** Row-major f32 values as a little-endian segment, for the kernels. */
  static MemorySegment f32(float[] values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
    for (int i = 0; i < values.length; i++) {
      seg.setAtIndex(F32_LE, i, values[i]);
    }
    return seg.asReadOnly();
  }

  /** torch's name of a float dtype, as torchao's metadata writes it. */
  static String torchName(DType dtype) {
    return switch (dtype) {
      case BF16 -> "bfloat16";
      case F16 -> "float16";
      default -> "float32";
    };
  }
}
