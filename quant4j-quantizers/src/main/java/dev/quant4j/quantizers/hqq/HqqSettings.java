package dev.quant4j.quantizers.hqq;

import dev.quant4j.dtype.DType;
import java.util.Optional;

/**
 * What one {@code HQQLinear} was quantized with, as its state dict records it.
 *
 * @param nbits 1, 2, 3, 4 or 8
 * @param groupSize values per group (in_features when the config says none)
 * @param axis 1: groups run along the input dimension (0 is not supported yet)
 * @param computeDtype the dtype of {@code scale}, {@code zero} (and {@code bias}): F16, BF16 or F32
 * @param viewAsFloat whether {@code W_q} is stored viewed as the compute dtype
 */
record HqqSettings(
    int nbits,
    int groupSize,
    int axis,
    DType computeDtype,
    boolean channelWise,
    boolean optimize,
    boolean roundZero,
    boolean viewAsFloat,
    boolean offloadMeta) {

  /** hqq's default compute dtype ({@code HQQLinear(compute_dtype=float16)}). */
  static final DType DEFAULT_COMPUTE = DType.F16;

  HqqPacking packing() {
    return HqqPacking.forBits(nbits);
  }

  /** The bits of the kernel layout: 3-bit codes run as 4-bit, 1-bit as 2-bit. */
  int kernelBits() {
    return kernelBitsOf(nbits);
  }

  static int kernelBitsOf(int nbits) {
    return switch (nbits) {
      case 8 -> 8;
      case 4, 3 -> 4;
      default -> 2;
    };
  }

  /** {@code str(torch.dtype)}, as hqq encodes {@code compute_dtype}. */
  static String torchName(DType dtype) {
    return switch (dtype) {
      case F16 -> "torch.float16";
      case BF16 -> "torch.bfloat16";
      case F32 -> "torch.float32";
      default -> throw new IllegalArgumentException("not an hqq compute dtype: " + dtype);
    };
  }

  static Optional<DType> fromTorchName(String name) {
    return switch (name) {
      case "torch.float16" -> Optional.of(DType.F16);
      case "torch.bfloat16" -> Optional.of(DType.BF16);
      case "torch.float32" -> Optional.of(DType.F32);
      default -> Optional.empty();
    };
  }
}
