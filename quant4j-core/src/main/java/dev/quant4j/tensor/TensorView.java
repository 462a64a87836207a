package dev.quant4j.tensor;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.error.ResourceLimitException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A named, typed, shaped tensor over a memory segment it does not own (a slice of a memory map or
 * of an off-heap buffer): nothing is copied until asked. Immutable; valid while the segment's arena
 * is open.
 *
 * <p>A mapped file that shrinks under the map makes reads fault; the JVM reports that as an {@link
 * InternalError}, which the copy methods turn into a {@link CheckpointIoException} naming the file.
 */
public final class TensorView {
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F64 =
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final String name;
  private final DType dtype;
  private final Shape shape;
  private final MemorySegment data;
  private final Path source;

  /**
   * @param source the file the data comes from, named in errors; null for memory-only tensors
   * @throws IllegalArgumentException when the segment's size is not what dtype and shape need
   */
  public TensorView(String name, DType dtype, Shape shape, MemorySegment data, Path source) {
    this.name = Objects.requireNonNull(name, "name");
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.data = Objects.requireNonNull(data, "data");
    this.source = source;
    long expected = dtype.byteSize(shape.numel());
    if (data.byteSize() != expected) {
      throw new IllegalArgumentException(
          name
              + ": "
              + expected
              + " bytes expected for "
              + dtype
              + shape
              + ", got "
              + data.byteSize());
    }
  }

  public String name() {
    return name;
  }

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  /** The raw little-endian bytes, zero-copy. */
  public MemorySegment data() {
    return data;
  }

  /** The file the tensor was read from, or null. */
  public Path source() {
    return source;
  }

  public long numel() {
    return shape.numel();
  }

  /** Element {@code index} (row-major) as a float; exact for every type narrower than float. */
  public float getFloat(long index) {
    Objects.checkIndex(index, shape.numel());
    try {
      return read(index);
    } catch (InternalError e) {
      throw accessFault(e);
    }
  }

  private float read(long i) {
    return switch (dtype) {
      case F32 -> data.get(F32, i * 4);
      case BF16 -> FloatConversions.bf16ToFloat(data.get(I16, i * 2));
      case F16 -> FloatConversions.f16ToFloat(data.get(I16, i * 2));
      case F64 -> (float) data.get(F64, i * 8);
      case F8_E4M3 -> FloatConversions.e4m3ToFloat(data.get(ValueLayout.JAVA_BYTE, i));
      case F8_E5M2 -> FloatConversions.e5m2ToFloat(data.get(ValueLayout.JAVA_BYTE, i));
      case F8_E4M3FNUZ -> FloatConversions.e4m3fnuzToFloat(data.get(ValueLayout.JAVA_BYTE, i));
      case F8_E5M2FNUZ -> FloatConversions.e5m2fnuzToFloat(data.get(ValueLayout.JAVA_BYTE, i));
      case F8_E8M0 -> FloatConversions.e8m0ToFloat(data.get(ValueLayout.JAVA_BYTE, i));
      // Two per byte, the first element in the low nibble (PyTorch's float4_e2m1fn_x2 order).
      case F4 ->
          FloatConversions.f4e2m1ToFloat(data.get(ValueLayout.JAVA_BYTE, i >>> 1) >> ((i & 1) * 4));
      case BOOL -> data.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1f : 0f;
      case U8 -> data.get(ValueLayout.JAVA_BYTE, i) & 0xff;
      case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
      case I16 -> data.get(I16, i * 2);
      case U16 -> data.get(I16, i * 2) & 0xffff;
      case I32 -> data.get(I32, i * 4);
      case U32 -> data.get(I32, i * 4) & 0xffffffffL;
      case I64 -> data.get(I64, i * 8);
      case U64 -> unsignedToFloat(data.get(I64, i * 8));
      // The bit order of packed 6-bit elements is not fixed by the format, and a complex number is
      // not one float: refuse rather than guess.
      case F6_E2M3, F6_E3M2, C64 ->
          throw new NotSupportedException(
              source, "reading " + dtype + " tensor '" + name + "' as float");
    };
  }

  private static float unsignedToFloat(long v) {
    if (v >= 0) {
      return v;
    }
    // Halve (keeping the lowest bit so rounding stays correct), convert, double.
    return 2f * ((v >>> 1) | (v & 1));
  }

  /**
   * Copies {@code count} elements from {@code fromElement} into {@code dst} as floats. F32, BF16,
   * F16 and FP8 are straight loops; other types go element by element through a switch.
   */
  public void copyToFloats(long fromElement, float[] dst, int dstOffset, int count) {
    Objects.checkFromIndexSize(fromElement, count, shape.numel());
    Objects.checkFromIndexSize(dstOffset, count, dst.length);
    try {
      switch (dtype) {
        case F32 -> MemorySegment.copy(data, F32, fromElement * 4, dst, dstOffset, count);
        case BF16 -> {
          long base = fromElement * 2;
          for (int k = 0; k < count; k++) {
            dst[dstOffset + k] =
                Float.intBitsToFloat((data.get(I16, base + 2L * k) & 0xffff) << 16);
          }
        }
        case F16 -> {
          long base = fromElement * 2;
          for (int k = 0; k < count; k++) {
            dst[dstOffset + k] = Float.float16ToFloat(data.get(I16, base + 2L * k));
          }
        }
        // The FP8 formats are the other bulk case (FP8 checkpoints): one table load per element.
        case F8_E4M3 -> {
          for (int k = 0; k < count; k++) {
            dst[dstOffset + k] =
                FloatConversions.e4m3ToFloat(data.get(ValueLayout.JAVA_BYTE, fromElement + k));
          }
        }
        case F8_E5M2 -> {
          for (int k = 0; k < count; k++) {
            dst[dstOffset + k] =
                FloatConversions.e5m2ToFloat(data.get(ValueLayout.JAVA_BYTE, fromElement + k));
          }
        }
        default -> {
          for (int k = 0; k < count; k++) {
            dst[dstOffset + k] = read(fromElement + k);
          }
        }
      }
    } catch (InternalError e) {
      throw accessFault(e);
    }
  }

  /**
   * All elements as a new float array.
   *
   * @throws ResourceLimitException when there are more elements than a Java array holds
   */
  public float[] toFloatArray() {
    long n = shape.numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new ResourceLimitException(
          source, name, "too many elements for one float array", Integer.MAX_VALUE - 8, n);
    }
    float[] out = new float[(int) n];
    copyToFloats(0, out, 0, out.length);
    return out;
  }

  /**
   * Fails, naming the tensor and the first bad element, when an element is NaN or infinite: checked
   * before quantizing, since one NaN poisons a whole block's scale.
   */
  public void requireFinite() {
    if (!dtype.isFloatingPoint()) {
      return;
    }
    float[] chunk = new float[(int) Math.min(1 << 16, shape.numel())];
    for (long start = 0; start < shape.numel(); start += chunk.length) {
      int count = (int) Math.min(chunk.length, shape.numel() - start);
      copyToFloats(start, chunk, 0, count);
      for (int k = 0; k < count; k++) {
        if (!Float.isFinite(chunk[k])) {
          throw new FormatException(
              source,
              name,
              "non-finite weight at element " + (start + k),
              "a finite value",
              chunk[k]);
        }
      }
    }
  }

  private CheckpointIoException accessFault(InternalError e) {
    return new CheckpointIoException(
        source,
        "tensor '" + name + "' could not be read: the file changed or shrank while mapped",
        e);
  }

  @Override
  public String toString() {
    return name + " " + dtype + shape;
  }
}
