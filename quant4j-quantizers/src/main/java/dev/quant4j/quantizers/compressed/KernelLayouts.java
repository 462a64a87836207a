package dev.quant4j.quantizers.compressed;

import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Repacks compressed-tensors weights into the shared kernel layouts: int weights of any strategy
 * into {@link GroupedIntMatrix} (groups along the input axis; tensor and channel scales are one
 * group per row, block scales are repeated down the rows of a block), FP8 weights into {@link
 * Fp8Matrix}, whose scale tiles are exactly compressed-tensors' strategies.
 */
final class KernelLayouts {
  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private KernelLayouts() {}

  /** The kernel code width an int format of {@code bits} is widened to: 2, 4 or 8. */
  static int containerBits(int bits) {
    return bits <= 2 ? 2 : bits <= 4 ? 4 : 8;
  }

  /**
   * A grouped int matrix of signed codes {@code q}.
   *
   * @param q the signed codes, one per byte; may be null when {@code packed} is given
   * @param packed the checkpoint's packed words when they already are the kernel's codes (same
   *     width, rows of whole words), else null
   * @param zeros signed zero points per scale, or null when symmetric
   */
  static GroupedIntMatrix grouped(
      Path file,
      String name,
      byte[] q,
      MemorySegment packed,
      int bits,
      ScaleGrid grid,
      float[] scales,
      int[] zeros,
      ActivationQuantizer activations) {
    int rows = grid.rows();
    int cols = grid.cols();
    int width = containerBits(bits);
    if ((long) cols * width % 8 != 0) {
      throw new NotSupportedException(
          file, name + ": " + cols + " columns of " + bits + "-bit codes (rows of whole bytes)");
    }
    int groupSize =
        switch (grid.strategy()) {
          case "group", "block" -> grid.blockCols();
          default -> cols;
        };
    if (cols % groupSize != 0) {
      throw new NotSupportedException(
          file,
          name + ": " + grid + " scales over " + cols + " columns (the last block is partial)");
    }
    MemorySegment codes = packed != null && width == bits ? packed : pack(q, width);
    int groups = cols / groupSize;
    MemorySegment s = MemorySegment.ofArray(new float[rows * groups]);
    MemorySegment z = MemorySegment.ofArray(new float[rows * groups]);
    int offset = 1 << (width - 1);
    for (int r = 0; r < rows; r++) {
      for (int g = 0; g < groups; g++) {
        int k = grid.index(r, g * groupSize);
        long at = (long) r * groups + g;
        s.setAtIndex(F32_LE, at, scales[k]);
        z.setAtIndex(F32_LE, at, (zeros == null ? 0 : zeros[k]) + offset);
      }
    }
    return new GroupedIntMatrix(codes, width, s, z, rows, cols, groupSize, activations);
  }

  /** Signed codes as unsigned {@code q + 2^(width-1)}, first element in a byte's lowest bits. */
  static MemorySegment pack(byte[] q, int width) {
    int perByte = 8 / width;
    byte[] out = new byte[Math.ceilDiv(q.length, perByte)];
    int offset = 1 << (width - 1);
    int mask = (1 << width) - 1;
    for (int i = 0; i < q.length; i++) {
      out[i / perByte] |= (byte) (((q[i] + offset) & mask) << ((i % perByte) * width));
    }
    return MemorySegment.ofArray(out);
  }

  /** An FP8 matrix over e4m3 {@code codes} with one float scale per tile of {@code grid}. */
  static Fp8Matrix fp8(
      MemorySegment codes, ScaleGrid grid, float[] scales, ActivationQuantizer activations) {
    MemorySegment s = MemorySegment.ofArray(new float[scales.length]);
    for (int i = 0; i < scales.length; i++) {
      s.setAtIndex(F32_LE, i, scales[i]);
    }
    return new Fp8Matrix(
        codes, s, grid.rows(), grid.cols(), grid.blockRows(), grid.blockCols(), activations);
  }
}
