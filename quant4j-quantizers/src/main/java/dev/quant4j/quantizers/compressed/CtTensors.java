package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tensors of one compressed-tensors module: building them for saving, and reading and checking
 * those of a checkpoint (dtype, shape, finiteness) with errors that name the tensor.
 */
final class CtTensors {
  static final ValueLayout.OfInt I32_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong I64_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Path file;
  private final String prefix;
  private final Map<String, TensorView> bySuffix;

  /**
   * @param bySuffix the module's tensors by the part of their name after {@code prefix.}
   */
  CtTensors(Path file, String prefix, Map<String, TensorView> bySuffix) {
    this.file = file;
    this.prefix = prefix;
    this.bySuffix = new TreeMap<>(bySuffix);
  }

  Path file() {
    return file;
  }

  String name(String suffix) {
    return prefix + "." + suffix;
  }

  /** Fails on a tensor of the module that the format does not define. */
  void allowOnly(Set<String> suffixes) {
    for (String s : bySuffix.keySet()) {
      if (!suffixes.contains(s)) {
        throw new FormatException(
            file,
            name(s),
            "unexpected tensor in a compressed-tensors module",
            new java.util.TreeSet<>(suffixes),
            s);
      }
    }
  }

  boolean has(String suffix) {
    return bySuffix.containsKey(suffix);
  }

  TensorView require(String suffix) {
    TensorView t = bySuffix.get(suffix);
    if (t == null) {
      throw new FormatException(
          file, name(suffix), "missing tensor of a compressed-tensors module");
    }
    return t;
  }

  /** The tensor, checked to have one of {@code dtypes}. */
  TensorView require(String suffix, DType... dtypes) {
    TensorView t = require(suffix);
    if (!Arrays.asList(dtypes).contains(t.dtype())) {
      throw new FormatException(
          file, name(suffix), "wrong dtype", Arrays.toString(dtypes), t.dtype());
    }
    return t;
  }

  /** Fails unless {@code t} has exactly {@code dims}. */
  void requireShape(TensorView t, long... dims) {
    if (!Arrays.equals(t.shape().dims(), dims)) {
      throw new FormatException(file, t.name(), "wrong shape", Arrays.toString(dims), t.shape());
    }
  }

  /** A 2-D {@code [rows, cols]} with both positive and the product within a Java array. */
  long[] requireMatrix(TensorView t) {
    long[] d = t.shape().dims();
    if (d.length != 2 || d[0] <= 0 || d[1] <= 0 || d[0] * d[1] > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          file,
          t.name(),
          "expected a [out_features, in_features] matrix of at most 2^31 elements",
          "2 positive dims",
          t.shape());
    }
    return d;
  }

  /** The float values of a scale tensor, each finite. */
  float[] scales(TensorView t) {
    float[] v = t.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new FormatException(
            file, t.name() + "[" + i + "]", "scale is not finite", "finite", v[i]);
      }
    }
    return v;
  }

  /** An integer tensor's values (I8, I16, I32 or I64; ranges are the caller's to check). */
  long[] integers(TensorView t) {
    long n = t.numel();
    long[] out = new long[Math.toIntExact(n)];
    MemorySegment d = t.data();
    for (int i = 0; i < n; i++) {
      out[i] =
          switch (t.dtype()) {
            case I8 -> d.get(ValueLayout.JAVA_BYTE, i);
            case I16 ->
                d.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i);
            case I32 -> d.get(I32_LE, 4L * i);
            case I64 -> d.get(I64_LE, 8L * i);
            default ->
                throw new FormatException(
                    file, t.name(), "expected an integer tensor", "I8..I64", t.dtype());
          };
    }
    return out;
  }

  /** An I32 tensor's words. */
  static int[] words(TensorView t) {
    int[] out = new int[Math.toIntExact(t.numel())];
    MemorySegment.copy(t.data(), I32_LE, 0, out, 0, out.length);
    return out;
  }

  /** The tensor as stored, for saving it back unchanged. */
  StoredTensor stored(String suffix) {
    TensorView t = require(suffix);
    return new StoredTensor(suffix, t.dtype(), t.shape(), t.data());
  }

  // Building tensors for saving.

  static StoredTensor int32(String suffix, long[] shape, int[] values) {
    MemorySegment s = MemorySegment.ofArray(new byte[values.length * 4]);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(I32_LE, i, values[i]);
    }
    return new StoredTensor(suffix, DType.I32, Shape.of(shape), s);
  }

  static StoredTensor int64(String suffix, long... values) {
    MemorySegment s = MemorySegment.ofArray(new byte[values.length * 8]);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(I64_LE, i, values[i]);
    }
    return new StoredTensor(suffix, DType.I64, Shape.of(values.length), s);
  }

  static StoredTensor int8(String suffix, DType dtype, long[] shape, byte[] values) {
    return new StoredTensor(suffix, dtype, Shape.of(shape), MemorySegment.ofArray(values));
  }

  static StoredTensor int8(String suffix, long[] shape, int[] values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return int8(suffix, DType.I8, shape, b);
  }

  static StoredTensor floats(String suffix, ScaleDtype dt, long[] shape, float[] values) {
    return new StoredTensor(suffix, dt.dtype(), Shape.of(shape), dt.encode(values));
  }
}
