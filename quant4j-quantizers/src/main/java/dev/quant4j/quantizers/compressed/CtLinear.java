package dev.quant4j.quantizers.compressed;

import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.util.List;

/**
 * One compressed-tensors Linear weight: the kernel layout it was repacked into and the tensors that
 * store it in its compressed-tensors format (for a loaded checkpoint, the checkpoint's own tensors,
 * unchanged, so that saving writes them back byte for byte).
 */
final class CtLinear implements QuantizedWeight {
  private final WeightMatrix matrix;
  private final String format;
  private final List<StoredTensor> stored;
  private final ScaleDtype scaleDtype;

  /**
   * @param scaleDtype the scales' dtype, in which compressed-tensors' {@code decompress} rounds the
   *     dequantized weight
   */
  CtLinear(WeightMatrix matrix, String format, List<StoredTensor> stored, ScaleDtype scaleDtype) {
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
    List<StoredTensor> more = new java.util.ArrayList<>(stored);
    more.add(extra);
    return new CtLinear(matrix, format, more, scaleDtype);
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
    return stored;
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
