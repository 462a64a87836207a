package dev.quant4j.quantizers.bnb;

import dev.quant4j.dtype.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One checkpoint tensor as the bitsandbytes format reads and writes it: dtype, shape and its
 * little-endian bytes (a read-only view, possibly into a memory map; never copied here).
 */
public final class RawTensor {
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final DType dtype;
  private final long[] shape;
  private final MemorySegment data;

  public RawTensor(DType dtype, long[] shape, MemorySegment data) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data.asReadOnly();
  }

  /** A tensor over a copy-free view of {@code bytes}, which the caller must not change after. */
  static RawTensor of(DType dtype, long[] shape, byte[] bytes) {
    return new RawTensor(dtype, shape, MemorySegment.ofArray(bytes));
  }

  static RawTensor ofFloats(long[] shape, float[] values) {
    byte[] bytes = new byte[values.length * 4];
    MemorySegment seg = MemorySegment.ofArray(bytes);
    for (int i = 0; i < values.length; i++) {
      seg.setAtIndex(F32_LE, i, values[i]);
    }
    return of(DType.F32, shape, bytes);
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public MemorySegment data() {
    return data;
  }

  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  float[] toFloats() {
    float[] out = new float[Math.toIntExact(data.byteSize() / 4)];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.getAtIndex(F32_LE, i);
    }
    return out;
  }

  byte[] toBytes() {
    return data.toArray(ValueLayout.JAVA_BYTE);
  }

  /** Same dtype, shape and bytes. */
  public boolean contentEquals(RawTensor o) {
    return dtype == o.dtype
        && Arrays.equals(shape, o.shape)
        && data.byteSize() == o.data.byteSize()
        && data.mismatch(o.data) < 0;
  }

  @Override
  public String toString() {
    return dtype.safetensorsName() + Arrays.toString(shape);
  }
}
