package dev.quant4j.quantizers.torchao;

import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A weight torchao leaves in full precision though it was selected: int4 skips layers whose input
 * size is not a multiple of the group size. Stored as the plain {@code weight} it was.
 */
final class PlainWeight implements QuantizedWeight {
  private final DenseMatrix matrix;
  private final StoredTensor stored;

  private PlainWeight(DenseMatrix matrix, StoredTensor stored) {
    this.matrix = matrix;
    this.stored = stored;
  }

  /** A copy of {@code w}, whose view is only valid during quantization. */
  static PlainWeight copyOf(TensorView w) {
    MemorySegment data = MemorySegment.ofArray(w.data().toArray(ValueLayout.JAVA_BYTE));
    return of(w, data.asReadOnly());
  }

  /** A view of the memory-mapped checkpoint's tensor. */
  static PlainWeight viewOf(TensorView w) {
    return of(w, w.data());
  }

  private static PlainWeight of(TensorView w, MemorySegment data) {
    FloatFormat format =
        switch (w.dtype()) {
          case BF16 -> FloatFormat.BF16;
          case F16 -> FloatFormat.F16;
          case F32 -> FloatFormat.F32;
          default ->
              throw new dev.quant4j.error.FormatException(
                  w.source(),
                  w.name(),
                  "unquantized weight must be float",
                  "BF16, F16 or F32",
                  w.dtype());
        };
    long[] d = w.shape().dims();
    return new PlainWeight(
        new DenseMatrix(data, format, (int) d[0], (int) d[1]),
        new StoredTensor("weight", w.dtype(), w.shape(), data));
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return stored.dtype().name();
  }

  @Override
  public long storageBytes() {
    return stored.data().byteSize();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return List.of(stored);
  }

  @Override
  public float[] dequantize() {
    TensorView v = new TensorView("weight", stored.dtype(), stored.shape(), stored.data(), null);
    return v.toFloatArray();
  }
}
