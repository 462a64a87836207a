package dev.quant4j.quantizers.bnb;

import dev.quant4j.kernels.Codebook;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A 4-bit bitsandbytes weight as the model uses it: the kernels multiply the packed codes directly
 * with the de-nested absmax; saving writes back the original tensors, nested form included.
 */
final class Bnb4bitLinear implements QuantizedWeight {
  private static final String PREFIX = "w";

  private final Bnb4bitWeight weight;
  private final Packed4BitMatrix matrix;

  Bnb4bitLinear(Bnb4bitWeight weight) {
    this.weight = weight;
    this.matrix =
        new Packed4BitMatrix(
            weight.packed(),
            MemorySegment.ofArray(weight.absmax()),
            Codebook.of(weight.type().codebook().toArray()),
            weight.rows(),
            weight.cols(),
            weight.blocksize());
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return weight.type().jsonName() + (weight.nested().isPresent() ? "-dq" : "");
  }

  @Override
  public long storageBytes() {
    return weight.packed().byteSize() + 4L * weight.absmax().length;
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return StoredTensors.relativeTo(PREFIX, Bnb4bitFormat.write(PREFIX, weight));
  }

  @Override
  public float[] dequantize() {
    return Bnb4bitDequantizer.dequantize(weight);
  }
}
