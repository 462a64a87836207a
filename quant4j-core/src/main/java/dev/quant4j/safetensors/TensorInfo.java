package dev.quant4j.safetensors;

import dev.quant4j.dtype.DType;
import dev.quant4j.tensor.Shape;
import java.util.Objects;

/**
 * One header entry: where a tensor's bytes lie, relative to the start of the data buffer (after the
 * header), {@code end} exclusive.
 */
public record TensorInfo(String name, DType dtype, Shape shape, long begin, long end) {
  public TensorInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  /** Bytes of data: {@code end - begin}. */
  public long byteSize() {
    return end - begin;
  }
}
