package dev.quant4j.load;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A quantized weight turned back into floats ({@link CausalLm#dequantize()}): computed with as a
 * float32 matrix, saved as a plain {@code weight} tensor in the model's dtype.
 */
final class DequantizedWeight implements QuantizedWeight {
  private final float[] values;
  private final DenseMatrix matrix;
  private final DType savedAs;

  DequantizedWeight(QuantizedWeight source, DType savedAs) {
    this.values = source.dequantize();
    this.matrix =
        new DenseMatrix(
            MemorySegment.ofArray(values),
            FloatFormat.F32,
            source.matrix().rows(),
            source.matrix().cols());
    this.savedAs = savedAs;
  }

  @Override
  public DenseMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return "F32 (dequantized)";
  }

  @Override
  public long storageBytes() {
    return 4L * values.length;
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    Shape shape = Shape.of(matrix.rows(), matrix.cols());
    MemorySegment data =
        switch (savedAs) {
          case BF16 -> shorts(values, true);
          case F16 -> shorts(values, false);
          default -> bytesOf(MemorySegment.ofArray(values));
        };
    DType dtype = savedAs == DType.BF16 || savedAs == DType.F16 ? savedAs : DType.F32;
    return List.of(new StoredTensor("weight", dtype, shape, data));
  }

  @Override
  public float[] dequantize() {
    return values.clone();
  }

  private static MemorySegment shorts(float[] v, boolean bf16) {
    short[] out = new short[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = bf16 ? FloatConversions.floatToBf16(v[i]) : FloatConversions.floatToF16(v[i]);
    }
    return bytesOf(MemorySegment.ofArray(out));
  }

  /** A byte[]-backed copy: writers stream byte buffers, which only byte arrays can back. */
  private static MemorySegment bytesOf(MemorySegment segment) {
    return MemorySegment.ofArray(segment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
  }

  /** The dtype a dequantized weight is saved in: the model's own ({@code dtype} of config.json). */
  static DType savedDtype(String configDtype) {
    if (configDtype == null) {
      return DType.F32;
    }
    return switch (configDtype) {
      case "bfloat16" -> DType.BF16;
      case "float16" -> DType.F16;
      default -> DType.F32;
    };
  }
}
