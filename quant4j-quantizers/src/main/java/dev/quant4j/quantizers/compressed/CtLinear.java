package dev.quant4j.quantizers.compressed;

import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * One compressed-tensors Linear weight: the kernel layout it was repacked into and the tensors that
 * store it in its compressed-tensors format (for a loaded checkpoint, the checkpoint's own tensors,
 * unchanged, so that saving writes them back byte for byte).
 */
final class CtLinear implements QuantizedWeight {
  private final WeightMatrix matrix;
  private final String format;
  private final List<Supplier<StoredTensor>> stored;
  private final ScaleDtype scaleDtype;

  /**
   * @param scaleDtype the scales' dtype, in which compressed-tensors' {@code decompress} rounds the
   *     dequantized weight
   */
  CtLinear(WeightMatrix matrix, String format, List<StoredTensor> stored, ScaleDtype scaleDtype) {
    this(
        matrix,
        scaleDtype,
        format,
        stored.stream().<Supplier<StoredTensor>>map(t -> () -> t).toList());
  }

  /**
   * As the public constructor, with tensors made when saving: for a layer whose stored bytes the
   * kernel layout holds in another order, so that the weight is not kept twice.
   */
  CtLinear(
      WeightMatrix matrix,
      ScaleDtype scaleDtype,
      String format,
      List<Supplier<StoredTensor>> stored) {
    if (!(matrix instanceof GroupedIntMatrix)
        && !(matrix instanceof Fp8Matrix)
        && !(matrix instanceof Packed4BitMatrix)) {
      throw new IllegalArgumentException("unexpected layout " + matrix.getClass().getSimpleName());
    }
    this.matrix = matrix;
    this.format = format;
    this.stored = List.copyOf(stored);
    this.scaleDtype = scaleDtype;
  }

  /** The same weight storing one more tensor of its module (static activation scales). */
  CtLinear with(StoredTensor extra) {
    List<Supplier<StoredTensor>> more = new java.util.ArrayList<>(stored);
    more.add(() -> extra);
    return new CtLinear(matrix, scaleDtype, format, more);
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return format;
  }

  @Override
  public long storageBytes() {
    return matrix.storageBytes();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return stored.stream().map(Supplier::get).toList();
  }

  /**
   * compressed-tensors' {@code dequantize}: {@code (q - zp) * scale} rounded to the scale dtype
   * (the kernels keep the float32 product: they differ from this by at most half a bf16 ulp).
   */
  @Override
  public float[] dequantize() {
    int rows = matrix.rows();
    int cols = matrix.cols();
    float[] out = new float[Math.multiplyExact(rows, cols)];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float v =
            switch (matrix) {
              case GroupedIntMatrix g -> g.get(r, c);
              case Packed4BitMatrix p -> p.get(r, c);
              default -> ((Fp8Matrix) matrix).get(r, c);
            };
        out[r * cols + c] = scaleDtype.round(v);
      }
    }
    return out;
  }
}
