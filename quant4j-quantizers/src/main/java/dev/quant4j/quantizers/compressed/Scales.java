package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.TensorView;
import java.util.Arrays;
import java.util.List;

/**
 * A checkpoint module's {@code weight_scale}, checked against the strategy's grid, with the checks
 * on the tensors that may come with it: {@code weight_g_idx} (activation order: only column order
 * maps onto the kernels' contiguous groups) and a zero point of a symmetric scheme (accepted only
 * when it is all zeros).
 *
 * @param values one float per grid tile, row-major
 * @param dtype the stored dtype
 */
record Scales(float[] values, ScaleDtype dtype) {
  static Scales read(CtTensors t, ScaleGrid grid, QuantizationArgs args) {
    TensorView s = t.require("weight_scale", DType.BF16, DType.F16, DType.F32);
    if (!grid.accepts(s.shape().dims())) {
      throw new FormatException(
          t.file(),
          s.name(),
          "wrong shape for strategy " + grid,
          Arrays.toString(grid.scaleShape()),
          s.shape());
    }
    if (t.has("weight_g_idx")) {
      requireColumnOrder(t, grid);
    }
    if (args.symmetric() && t.has("weight_zero_point")) {
      TensorView z = t.require("weight_zero_point");
      if (z.data()
              .mismatch(
                  java.lang.foreign.MemorySegment.ofArray(new byte[(int) z.data().byteSize()]))
          >= 0) {
        throw new FormatException(
            t.file(),
            z.name(),
            "non-zero zero point in a symmetric scheme",
            "all zeros",
            "non-zero");
      }
    }
    return new Scales(t.scales(s), ScaleDtype.ofStored(s.dtype()));
  }

  /** Appends the optional tensors the module has, as read. */
  void keepOptional(CtTensors t, List<StoredTensor> stored) {
    for (String suffix : List.of("weight_zero_point", "weight_g_idx")) {
      if (t.has(suffix)) {
        stored.add(t.stored(suffix));
      }
    }
  }

  /** Zero points stored one per scale (int8 by default, any int type accepted), range-checked. */
  static int[] unpackedZeroPoints(CtTensors t, ScaleGrid grid, int bits) {
    TensorView z = t.require("weight_zero_point", DType.I8, DType.I16, DType.I32);
    if (!grid.accepts(z.shape().dims())) {
      throw new FormatException(
          t.file(), z.name(), "wrong shape", Arrays.toString(grid.scaleShape()), z.shape());
    }
    long[] v = t.integers(z);
    int[] out = new int[v.length];
    long qmin = -(1L << (bits - 1));
    long qmax = (1L << (bits - 1)) - 1;
    for (int i = 0; i < v.length; i++) {
      if (v[i] < qmin || v[i] > qmax) {
        throw new FormatException(
            t.file(),
            z.name() + "[" + i + "]",
            "zero point out of range",
            qmin + ".." + qmax,
            v[i]);
      }
      out[i] = (int) v[i];
    }
    return out;
  }

  /**
   * {@code weight_g_idx} all -1 (never set: compressed-tensors treats it as column order) or equal
   * to {@code column / group_size} is fine; a real activation order is not supported.
   */
  private static void requireColumnOrder(CtTensors t, ScaleGrid grid) {
    TensorView g = t.require("weight_g_idx", DType.I32, DType.I64);
    t.requireShape(g, grid.cols());
    long[] v = t.integers(g);
    boolean unset = Arrays.stream(v).anyMatch(x -> x == -1);
    if (unset) {
      return;
    }
    for (int c = 0; c < v.length; c++) {
      if (v[c] != c / grid.blockCols()) {
        throw new NotSupportedException(
            t.file(),
            "compressed-tensors activation order (" + g.name() + " is not in column order)");
      }
    }
  }
}
