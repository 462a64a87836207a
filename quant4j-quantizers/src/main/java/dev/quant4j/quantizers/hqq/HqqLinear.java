package dev.quant4j.quantizers.hqq;

import dev.quant4j.dtype.DType;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One {@code HQQLinear} (axis 1): the codes repacked for the kernels as a {@link GroupedIntMatrix}
 * whose groups are hqq's (group {@code r} is row {@code r / (cols/groupSize)}), with the stored
 * {@code scale} and {@code zero} widened exactly to float32. The kernel then computes {@code (q -
 * zero) * scale} in float32 where hqq does it in the compute dtype.
 *
 * <p>A weight read from a checkpoint keeps the tensors as read (views, not copies) and saves them
 * back byte for byte; a weight quantized here writes what hqq would, {@code W_q} re-packed from the
 * kernel codes only when saving. Immutable.
 */
final class HqqLinear implements QuantizedWeight {
  private final HqqSettings settings;
  private final int rows;
  private final int cols;
  private final MemorySegment scale;
  private final MemorySegment zero;
  private final GroupedIntMatrix matrix;
  private final List<StoredTensor> asRead;

  /**
   * @param codes one code per element, row-major
   * @param scale {@code rows * cols / groupSize} values in the compute dtype, as stored
   * @param zero as {@code scale}
   * @param asRead the module's tensors as read, or null when quantized here
   */
  HqqLinear(
      HqqSettings settings,
      int rows,
      int cols,
      byte[] codes,
      MemorySegment scale,
      MemorySegment zero,
      List<StoredTensor> asRead) {
    this.settings = settings;
    this.rows = rows;
    this.cols = cols;
    this.scale = scale.asReadOnly();
    this.zero = zero.asReadOnly();
    this.asRead = asRead == null ? null : List.copyOf(asRead);
    int bits = settings.kernelBits();
    this.matrix =
        new GroupedIntMatrix(
            MemorySegment.ofArray(KernelCodes.pack(codes, bits)),
            bits,
            widen(scale, settings.computeDtype()),
            widen(zero, settings.computeDtype()),
            rows,
            cols,
            settings.groupSize());
  }

  private static MemorySegment widen(MemorySegment stored, DType dtype) {
    int n = Math.toIntExact(stored.byteSize() / dtype.byteSize(1));
    MemorySegment out = MemorySegment.ofArray(new float[n]);
    for (int i = 0; i < n; i++) {
      out.setAtIndex(HqqFormat.F32_LE, i, HqqFormat.readFloat(stored, dtype, i));
    }
    return out.asReadOnly();
  }

  HqqSettings settings() {
    return settings;
  }

  int rows() {
    return rows;
  }

  int cols() {
    return cols;
  }

  /** Groups of the weight: {@code rows * cols / groupSize}. */
  int groups() {
    return rows * (cols / settings.groupSize());
  }

  /** {@code scale} as stored, in the compute dtype. */
  MemorySegment storedScale() {
    return scale;
  }

  /** {@code zero} as stored, in the compute dtype. */
  MemorySegment storedZero() {
    return zero;
  }

  /** The code of every element, row-major. */
  byte[] codes() {
    return KernelCodes.unpack(matrix.codes(), matrix.bits(), rows * cols);
  }

  boolean isAsRead() {
    return asRead != null;
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return "hqq" + settings.nbits();
  }

  @Override
  public long storageBytes() {
    return matrix.storageBytes();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return asRead != null ? asRead : HqqFormat.write(this);
  }

  @Override
  public float[] dequantize() {
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = matrix.get(r, c);
      }
    }
    return out;
  }
}
