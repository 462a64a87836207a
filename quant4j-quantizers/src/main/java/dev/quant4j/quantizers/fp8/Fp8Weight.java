package dev.quant4j.quantizers.fp8;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * An FP8 E4M3 weight with block scales, as both FP8 methods store it: the e4m3 {@code weight} and
 * one scale tensor ({@code weight_scale} for FBGEMM, {@code weight_scale_inv} for fine-grained FP8)
 * whose stored bytes are kept so saving writes them back unchanged.
 *
 * @param codes {@code rows * cols} e4m3 bytes, row-major, no NaN code
 * @param scaleMultipliers the float32 multiplier of each block, row-major over the block grid
 * @param storedScales the scale tensors as the checkpoint stores them (the weight's scale first,
 *     then a static activation scale if any), kept byte for byte
 */
record Fp8Weight(
    MemorySegment codes,
    float[] scaleMultipliers,
    int rows,
    int cols,
    int blockRows,
    int blockCols,
    ActivationQuantizer activations,
    List<StoredTensor> storedScales,
    String format)
    implements QuantizedWeight {
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  Fp8Weight {
    codes = codes.asReadOnly();
    scaleMultipliers = scaleMultipliers.clone();
    storedScales = List.copyOf(storedScales);
  }

  @Override
  public WeightMatrix matrix() {
    return new Fp8Matrix(
        codes, floats(scaleMultipliers), rows, cols, blockRows, blockCols, activations);
  }

  @Override
  public long storageBytes() {
    long bytes = codes.byteSize();
    for (StoredTensor t : storedScales) {
      bytes += t.data().byteSize();
    }
    return bytes;
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    List<StoredTensor> out = new java.util.ArrayList<>();
    out.add(new StoredTensor("weight", DType.F8_E4M3, Shape.of(rows, cols), codes));
    out.addAll(storedScales);
    return out;
  }

  @Override
  public float[] dequantize() {
    float[] out = new float[Math.multiplyExact(rows, cols)];
    int blocksPerRow = Math.ceilDiv(cols, blockCols);
    for (int r = 0; r < rows; r++) {
      int rowBlock = (r / blockRows) * blocksPerRow;
      for (int c = 0; c < cols; c++) {
        byte code = codes.get(ValueLayout.JAVA_BYTE, (long) r * cols + c);
        out[r * cols + c] =
            FloatConversions.e4m3ToFloat(code) * scaleMultipliers[rowBlock + c / blockCols];
      }
    }
    return out;
  }

  /** The multiplier of block {@code (blockRow, blockCol)}. */
  float scale(int blockRow, int blockCol) {
    return scaleMultipliers[blockRow * Math.ceilDiv(cols, blockCols) + blockCol];
  }

  /** Little-endian f32 bytes of {@code values}, backed by a byte array. */
  static MemorySegment floats(float[] values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
    for (int i = 0; i < values.length; i++) {
      seg.setAtIndex(F32_LE, i, values[i]);
    }
    return seg;
  }
}
