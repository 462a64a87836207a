package dev.quant4j.safetensors;

import dev.quant4j.dtype.DType;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A tensor to write: its bytes (little-endian, row-major, exactly {@code dtype x shape} long) in
 * any memory segment, heap or mapped; nothing is copied until written.
 */
public record TensorData(String name, DType dtype, Shape shape, MemorySegment data) {
  /**
   * @throws IllegalArgumentException when the data is not exactly the size dtype and shape need
   */
  public TensorData {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    long expected;
    try {
      expected = dtype.byteSize(shape.numel());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
    }
    if (data.byteSize() != expected) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': "
              + dtype
              + shape
              + " needs "
              + expected
              + " bytes, got "
              + data.byteSize());
    }
  }

  public static TensorData of(String name, DType dtype, Shape shape, byte[] bytes) {
    return new TensorData(name, dtype, shape, MemorySegment.ofArray(bytes));
  }

  /** The bytes of a view, as they are (zero-copy). */
  public static TensorData of(TensorView view) {
    return new TensorData(view.name(), view.dtype(), view.shape(), view.data());
  }

  public long byteSize() {
    return data.byteSize();
  }
}
