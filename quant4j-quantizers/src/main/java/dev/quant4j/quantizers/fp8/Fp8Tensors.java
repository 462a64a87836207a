package dev.quant4j.quantizers.fp8;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.E4m3;
import dev.quant4j.quantizers.common.FloatScratch;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** Checks and reads the tensors of FP8 checkpoints and of the float weights to quantize. */
final class Fp8Tensors {
  private Fp8Tensors() {}

  /** {@code [rows, cols]} of a 2-D weight, or a FormatException naming it. */
  static int[] matrixShape(TensorView t, String method) {
    long[] dims = t.shape().dims();
    if (dims.length != 2 || dims[0] <= 0 || dims[1] <= 0) {
      throw new FormatException(
          t.source(),
          t.name(),
          method + " quantizes 2-D linear weights",
          "shape [out, in]",
          Arrays.toString(dims));
    }
    if (dims[0] * dims[1] > Integer.MAX_VALUE - 8) {
      throw new NotSupportedException(
          t.source(), t.name() + ": a weight of " + dims[0] * dims[1] + " elements (2^31 at most)");
    }
    return new int[] {(int) dims[0], (int) dims[1]};
  }

  /**
   * The float weight's values in an array borrowed from {@code scratch} (give it back), refusing
   * NaN and infinities and non-float dtypes.
   */
  static float[] finiteFloats(TensorView t, String method, FloatScratch scratch) {
    if (t.dtype() != DType.BF16 && t.dtype() != DType.F16 && t.dtype() != DType.F32) {
      throw new FormatException(
          t.source(),
          t.name(),
          method + " quantizes floating-point weights",
          "BF16, F16 or F32",
          t.dtype());
    }
    float[] values = scratch.copyOf(t);
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        scratch.giveBack(values);
        throw new FormatException(
            t.source(), t.name(), "non-finite weight at element " + i, "a finite value", values[i]);
      }
    }
    return values;
  }

  /** The e4m3 codes of a pre-quantized weight, checked for shape and NaN codes. */
  static MemorySegment e4m3Codes(TensorView t) {
    if (t.dtype() != DType.F8_E4M3) {
      throw new FormatException(
          t.source(), t.name(), "an FP8 weight must be stored as e4m3", "F8_E4M3", t.dtype());
    }
    MemorySegment data = t.data();
    for (long i = 0; i < data.byteSize(); i++) {
      if (E4m3.isNaN(data.get(ValueLayout.JAVA_BYTE, i))) {
        throw new FormatException(
            t.source(), t.name(), "NaN e4m3 code at element " + i, "a finite code", "NaN");
      }
    }
    return data;
  }

  /**
   * A scale tensor's values as float32 multipliers: F32 as is, BF16/F16 widened (transformers casts
   * them to its float32 parameter), E8M0 as powers of two. Each must be finite (a negative scale is
   * odd but well defined, so it is read as it is).
   */
  static float[] scales(TensorView t, long[] expectedShape) {
    long[] dims = t.shape().dims();
    boolean shapeOk = expectedShape == null ? t.numel() == 1 : Arrays.equals(dims, expectedShape);
    if (!shapeOk) {
      throw new FormatException(
          t.source(),
          t.name(),
          "scale has the wrong shape",
          expectedShape == null ? "one element" : Arrays.toString(expectedShape),
          Arrays.toString(dims));
    }
    if (t.dtype() != DType.F32
        && t.dtype() != DType.BF16
        && t.dtype() != DType.F16
        && t.dtype() != DType.F8_E8M0) {
      throw new FormatException(
          t.source(), t.name(), "unsupported scale dtype", "F32, BF16, F16 or F8_E8M0", t.dtype());
    }
    float[] out = t.toFloatArray();
    for (int i = 0; i < out.length; i++) {
      if (!Float.isFinite(out[i])) {
        throw new FormatException(
            t.source(), t.name(), "scale " + i + " is not finite", "a finite number", out[i]);
      }
    }
    return out;
  }
}
