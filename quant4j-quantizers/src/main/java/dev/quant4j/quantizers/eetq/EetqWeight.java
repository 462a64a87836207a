package dev.quant4j.quantizers.eetq;

import dev.quant4j.dtype.DType;
import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * An EETQ weight {@code W[n][k] = q[n][k] * scale[n]} (int8 codes, one float16 scale per output
 * channel). The kernels get it as an {@link Int8RowMatrix}, whose rows are {@code code * s / 127}:
 * its scale is {@code scale * 127}, exact in float32 (an 11-bit by 7-bit product), and dividing it
 * by 127 gives {@code scale} back exactly.
 *
 * <p>Only the kernel codes are held: saving re-derives the {@code [in, out]} int8 tensor in EETQ's
 * preprocessed order with {@link EetqLayout#pack}, which gives back byte for byte what a checkpoint
 * stored (the layout is a permutation and a bias, so {@code pack(unpack(b)) == b}). Keeping that
 * tensor as well would double the weight's memory.
 *
 * @param codes signed codes, row-major {@code [out][in]}
 * @param scales the float16 scales as stored ({@code weight_scales}, {@code [out]})
 */
record EetqWeight(byte[] codes, short[] scales, int rows, int cols) implements QuantizedWeight {
  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  float scale(int row) {
    return Float.float16ToFloat(scales[row]);
  }

  @Override
  public WeightMatrix matrix() {
    MemorySegment rowScales = MemorySegment.ofArray(new byte[rows * 4]);
    for (int r = 0; r < rows; r++) {
      rowScales.setAtIndex(F32_LE, r, scale(r) * 127f);
    }
    // EETQ is weight-only: its kernel multiplies float16 activations, never quantized ones.
    return new Int8RowMatrix(
        MemorySegment.ofArray(codes), rowScales, rows, cols, ActivationPrecision.F32);
  }

  @Override
  public String format() {
    return "int8 per-channel (eetq)";
  }

  @Override
  public long storageBytes() {
    return (long) codes.length + 2L * rows;
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return List.of(
        new StoredTensor(
            "weight",
            DType.I8,
            Shape.of(cols, rows),
            MemorySegment.ofArray(EetqLayout.pack(codes, rows, cols)).asReadOnly()),
        new StoredTensor("weight_scales", DType.F16, Shape.of(rows), littleEndian(scales)));
  }

  /** Byte-array backed (the safetensors writer streams byte buffers), little-endian. */
  private static MemorySegment littleEndian(short[] values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 2]);
    for (int i = 0; i < values.length; i++) {
      seg.setAtIndex(
          ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
    }
    return seg;
  }

  @Override
  public float[] dequantize() {
    float[] out = new float[Math.multiplyExact(rows, cols)];
    for (int r = 0; r < rows; r++) {
      float s = scale(r);
      for (int c = 0; c < cols; c++) {
        out[r * cols + c] = codes[r * cols + c] * s;
      }
    }
    return out;
  }
}
