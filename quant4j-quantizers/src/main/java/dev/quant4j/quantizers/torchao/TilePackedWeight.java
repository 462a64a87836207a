package dev.quant4j.quantizers.torchao;

import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.util.List;
import java.util.Optional;

/**
 * A tile-packed int4 weight as read, before the model has said its shape: the checkpoint stores it
 * padded and does not record the padding, so the codes are unpacked only once {@link #withShape}
 * names the layer's {@code [rows, cols]} (the loader always does). Until then it stands for the
 * whole padded matrix.
 */
final class TilePackedWeight implements QuantizedWeight {
  private final Int4TilePackedFormat.Packed packed;
  private TorchAoWeight padded;

  TilePackedWeight(Int4TilePackedFormat.Packed packed) {
    this.packed = packed;
  }

  @Override
  public QuantizedWeight withShape(int rows, int cols) {
    Int4PlainFormat.Parts parts = Int4TilePackedFormat.unpack(packed, rows, cols);
    return new TorchAoWeight(
        Int4PlainFormat.matrix(parts),
        "int4",
        () -> Int4TilePackedFormat.write(packed),
        Int4TilePackedFormat.metadata(packed, rows, cols),
        () -> Int4PlainFormat.dequantize(parts));
  }

  private synchronized TorchAoWeight padded() {
    if (padded == null) {
      padded = (TorchAoWeight) withShape(packed.paddedRows(), packed.paddedCols());
    }
    return padded;
  }

  @Override
  public WeightMatrix matrix() {
    return padded().matrix();
  }

  @Override
  public String format() {
    return "int4";
  }

  @Override
  public long storageBytes() {
    return (long) packed.paddedRows() * packed.paddedCols() / 2
        + packed.scaleAndZero().data().byteSize();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return Int4TilePackedFormat.write(packed);
  }

  @Override
  public Optional<String> checkpointMetadata() {
    return Optional.of(
        Int4TilePackedFormat.metadata(packed, packed.paddedRows(), packed.paddedCols()));
  }

  @Override
  public float[] dequantize() {
    return padded().dequantize();
  }
}
