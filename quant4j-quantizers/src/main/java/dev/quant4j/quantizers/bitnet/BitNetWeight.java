package dev.quant4j.quantizers.bitnet;

import dev.quant4j.dtype.DType;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A ternary weight as the kernels multiply it: 2-bit codes {@code t + 1} with zero 1 and one scale
 * for the whole matrix (repeated per row), so {@code W = t * scale}; plus the tensors that store it
 * in the checkpoint (the packed form, or the original float weight in online mode), kept as they
 * were read or made so saving reproduces them byte for byte.
 */
final class BitNetWeight implements QuantizedWeight {
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final GroupedIntMatrix matrix;
  private final StoredTensor weight;
  private final List<StoredTensor> rest;
  private final float scale;

  /**
   * @param codes the kernel codes, row-major, four a byte
   * @param scale what one ternary step is worth in the weight
   * @param weight the stored {@code weight} as read, or null to pack it from the codes when saving
   *     (a weight quantized here: the packed bytes are not kept twice)
   * @param rest the other stored tensors ({@code weight_scale}, {@code rms_norm.weight})
   */
  BitNetWeight(
      byte[] codes,
      float scale,
      int rows,
      int cols,
      BitNetActivations activations,
      StoredTensor weight,
      List<StoredTensor> rest) {
    byte[] scales = new byte[rows * 4];
    byte[] zeros = new byte[rows * 4];
    MemorySegment s = MemorySegment.ofArray(scales);
    MemorySegment z = MemorySegment.ofArray(zeros);
    for (int r = 0; r < rows; r++) {
      s.setAtIndex(F32_LE, r, scale);
      z.setAtIndex(F32_LE, r, 1f);
    }
    this.matrix =
        new GroupedIntMatrix(
            MemorySegment.ofArray(codes).asReadOnly(),
            2,
            s.asReadOnly(),
            z.asReadOnly(),
            rows,
            cols,
            cols,
            activations);
    this.scale = scale;
    this.weight = weight;
    this.rest = List.copyOf(rest);
  }

  /** What one ternary step is worth. */
  float scale() {
    return scale;
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return "ternary";
  }

  /**
   * The ternary codes and scales, plus the stored tensors held in memory beside them (online mode
   * keeps the original float weight to save it back); views of the memory-mapped checkpoint cost
   * nothing more.
   */
  @Override
  public long storageBytes() {
    long bytes = matrix.storageBytes();
    List<StoredTensor> held = new ArrayList<>(rest);
    if (weight != null) {
      held.add(weight);
    }
    for (StoredTensor t : held) {
      if (!t.data().isMapped()) {
        bytes += t.data().byteSize();
      }
    }
    return bytes;
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    List<StoredTensor> out = new ArrayList<>();
    out.add(weight != null ? weight : packedWeight());
    out.addAll(rest);
    return out;
  }

  private StoredTensor packedWeight() {
    int rows = matrix.rows();
    int cols = matrix.cols();
    byte[] ternary = new byte[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        ternary[r * cols + c] = (byte) (matrix.code(r, c) - 1);
      }
    }
    byte[] packed = BitNetPacking.pack(ternary, rows, cols);
    return new StoredTensor(
        "weight", DType.U8, Shape.of(rows / 4, cols), MemorySegment.ofArray(packed).asReadOnly());
  }

  @Override
  public float[] dequantize() {
    int rows = matrix.rows();
    int cols = matrix.cols();
    float[] out = new float[Math.multiplyExact(rows, cols)];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = matrix.get(r, c);
      }
    }
    return out;
  }
}
