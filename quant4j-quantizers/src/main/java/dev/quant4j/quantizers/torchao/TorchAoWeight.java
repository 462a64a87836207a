package dev.quant4j.quantizers.torchao;

import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A torchao tensor-subclass weight: the kernels' layout it was repacked into, the flattened
 * components ({@code _weight_qdata}, {@code _weight_scale}, ...) as torchao's safetensors support
 * writes them, the JSON that describes the subclass in the file's metadata, and torchao's own
 * dequantization.
 */
final class TorchAoWeight implements QuantizedWeight {
  private final WeightMatrix matrix;
  private final String format;
  private final Supplier<List<StoredTensor>> stored;
  private final String metadata;
  private final Supplier<float[]> dequantize;

  TorchAoWeight(
      WeightMatrix matrix,
      String format,
      Supplier<List<StoredTensor>> stored,
      String metadata,
      Supplier<float[]> dequantize) {
    this.matrix = matrix;
    this.format = format;
    this.stored = stored;
    this.metadata = metadata;
    this.dequantize = dequantize;
  }

  @Override
  public WeightMatrix matrix() {
    return matrix;
  }

  @Override
  public String format() {
    return format;
  }

  /**
   * The kernels' layout; the stored components are views of the checkpoint or made from that layout
   * when saving (the codes differ from torchao's by a sign bit flip), and their scales are a
   * fraction of a percent of it.
   */
  @Override
  public long storageBytes() {
    return matrix.storageBytes();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return List.copyOf(stored.get());
  }

  @Override
  public Optional<String> checkpointMetadata() {
    return Optional.of(metadata);
  }

  @Override
  public float[] dequantize() {
    return dequantize.get();
  }
}
