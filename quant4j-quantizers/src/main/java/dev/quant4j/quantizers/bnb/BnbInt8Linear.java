package dev.quant4j.quantizers.bnb;

import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * An LLM.int8() weight as the model uses it: row-wise int8 codes with their {@code SCB} scales,
 * multiplied by the int8 kernels (activations stay float32; bitsandbytes' outlier decomposition
 * exists as the scalar reference {@link Int8OutlierMatmul}).
 */
final class BnbInt8Linear implements QuantizedWeight {
  private static final String PREFIX = "w";

  private final BnbInt8Weight weight;
  private final Int8RowMatrix matrix;

  BnbInt8Linear(BnbInt8Weight weight) {
    this.weight = weight;
    this.matrix =
        new Int8RowMatrix(
            weight.codes(), MemorySegment.ofArray(weight.scb()), weight.rows(), weight.cols());
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return "int8";
  }

  @Override
  public long storageBytes() {
    return weight.codes().byteSize() + 4L * weight.rows();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return StoredTensors.relativeTo(PREFIX, BnbInt8Format.write(PREFIX, weight));
  }

  @Override
  public float[] dequantize() {
    return weight.dequantize();
  }
}
