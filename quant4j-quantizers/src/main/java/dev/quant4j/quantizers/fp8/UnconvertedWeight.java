package dev.quant4j.quantizers.fp8;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A linear weight of an FP8 model kept in full precision: fine-grained FP8 leaves a layer whose
 * shape is not a whole number of blocks unquantized, and {@code dequantize: true} loads every layer
 * this way. Saved as a plain {@code weight} in its own dtype, without a scale (transformers would
 * write a meaningless uninitialized {@code weight_scale_inv} beside it).
 */
record UnconvertedWeight(DenseMatrix matrix, DType dtype) implements QuantizedWeight {

  /** Wraps {@code t} (BF16, F16 or F32), copying it when {@code copy}: a view may not outlive. */
  static UnconvertedWeight of(TensorView t, boolean copy) {
    FloatFormat format =
        switch (t.dtype()) {
          case BF16 -> FloatFormat.BF16;
          case F16 -> FloatFormat.F16;
          case F32 -> FloatFormat.F32;
          default ->
              throw new FormatException(
                  t.source(),
                  t.name(),
                  "an unquantized weight of an FP8 model must be floating point",
                  "BF16, F16 or F32",
                  t.dtype());
        };
    long[] dims = t.shape().dims();
    MemorySegment data =
        copy ? MemorySegment.ofArray(t.data().toArray(ValueLayout.JAVA_BYTE)) : t.data();
    return new UnconvertedWeight(
        new DenseMatrix(data, format, Math.toIntExact(dims[0]), Math.toIntExact(dims[1])),
        t.dtype());
  }

  /** Full-precision values computed as float32 (dequantized FP8). */
  static UnconvertedWeight ofFloats(float[] values, int rows, int cols) {
    return new UnconvertedWeight(
        new DenseMatrix(Fp8Weight.floats(values), FloatFormat.F32, rows, cols), DType.F32);
  }

  @Override
  public DenseMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return dtype.safetensorsName() + " (not converted)";
  }

  @Override
  public long storageBytes() {
    return matrix.storageBytes();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return List.of(
        new StoredTensor("weight", dtype, Shape.of(matrix.rows(), matrix.cols()), matrix.data()));
  }

  @Override
  public float[] dequantize() {
    float[] out = new float[Math.multiplyExact(matrix.rows(), matrix.cols())];
    for (int r = 0; r < matrix.rows(); r++) {
      for (int c = 0; c < matrix.cols(); c++) {
        out[r * matrix.cols() + c] = matrix.get(r, c);
      }
    }
    return out;
  }
}
