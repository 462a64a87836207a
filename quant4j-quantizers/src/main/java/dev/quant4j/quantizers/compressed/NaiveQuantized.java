package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.E4m3;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code naive-quantized}, {@code int-quantized} and {@code float-quantized} formats (one
 * compressor in compressed-tensors under three names): {@code weight} holds the codes in the
 * scheme's dtype, I8 for int weights of up to 8 bits and F8_E4M3 for fp8, beside {@code
 * weight_scale} and, when asymmetric, {@code weight_zero_point} (I8, one per scale).
 */
final class NaiveQuantized {
  static final List<String> FORMATS =
      List.of("naive-quantized", "int-quantized", "float-quantized");

  private NaiveQuantized() {}

  /** Stores freshly quantized codes: int codes one per byte, or e4m3 codes. */
  static CtLinear write(
      String name,
      byte[] codes,
      boolean isFloat,
      ScaleGrid grid,
      MinMaxQuantization.QParams qp,
      int bits,
      ScaleDtype dt,
      ActivationQuantizer activations) {
    long[] shape = {grid.rows(), grid.cols()};
    List<StoredTensor> stored = new ArrayList<>();
    stored.add(CtTensors.int8("weight", isFloat ? DType.F8_E4M3 : DType.I8, shape, codes));
    stored.add(CtTensors.floats("weight_scale", dt, grid.scaleShape(), qp.scales()));
    if (qp.zeros() != null) {
      stored.add(CtTensors.int8("weight_zero_point", grid.scaleShape(), qp.zeros()));
    }
    MemorySegment data = stored.getFirst().data();
    return new CtLinear(
        matrix(null, name, codes, data, isFloat, bits, grid, qp.scales(), qp.zeros(), activations),
        label(isFloat, bits, grid),
        stored,
        dt);
  }

  /** Reads a module in one of these formats; the stored tensors are kept as read. */
  static CtLinear read(
      CtTensors t, QuantizationArgs args, ActivationQuantizer activations, Set<String> extra) {
    Set<String> allowed = new HashSet<>(extra);
    allowed.addAll(Set.of("weight", "weight_scale", "weight_zero_point", "weight_g_idx"));
    t.allowOnly(allowed);
    boolean isFloat = args.type().equals("float");
    int bits = args.numBits();
    TensorView w = t.require("weight", isFloat ? DType.F8_E4M3 : DType.I8);
    long[] d = t.requireMatrix(w);
    int rows = (int) d[0];
    int cols = (int) d[1];
    ScaleGrid grid = ScaleGrid.of(args, rows, cols, t.file(), w.name());
    Scales s = Scales.read(t, grid, args);
    int[] zeros = args.symmetric() ? null : Scales.unpackedZeroPoints(t, grid, bits);
    byte[] codes = null;
    if (isFloat) {
      requireNoNaN(t, w);
    } else {
      codes = w.data().toArray(ValueLayout.JAVA_BYTE);
      requireRange(t, w, codes, bits);
    }
    List<StoredTensor> stored = new ArrayList<>();
    stored.add(t.stored("weight"));
    stored.add(t.stored("weight_scale"));
    s.keepOptional(t, stored);
    WeightMatrix m =
        matrix(
            t.file(),
            w.name(),
            codes,
            w.data(),
            isFloat,
            bits,
            grid,
            s.values(),
            zeros,
            activations);
    return new CtLinear(m, label(isFloat, bits, grid), stored, s.dtype());
  }

  private static WeightMatrix matrix(
      java.nio.file.Path file,
      String name,
      byte[] codes,
      MemorySegment data,
      boolean isFloat,
      int bits,
      ScaleGrid grid,
      float[] scales,
      int[] zeros,
      ActivationQuantizer activations) {
    if (isFloat) {
      return KernelLayouts.fp8(data, grid, scales, activations);
    }
    return KernelLayouts.grouped(file, name, codes, null, bits, grid, scales, zeros, activations);
  }

  private static void requireNoNaN(CtTensors t, TensorView w) {
    MemorySegment d = w.data();
    for (long i = 0; i < d.byteSize(); i++) {
      if (E4m3.isNaN(d.get(ValueLayout.JAVA_BYTE, i))) {
        throw new FormatException(
            t.file(), w.name() + "[" + i + "]", "fp8 weight is NaN", "a finite e4m3 code", "NaN");
      }
    }
  }

  private static void requireRange(CtTensors t, TensorView w, byte[] codes, int bits) {
    int qmin = -(1 << (bits - 1));
    int qmax = (1 << (bits - 1)) - 1;
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] < qmin || codes[i] > qmax) {
        throw new FormatException(
            t.file(),
            w.name() + "[" + i + "]",
            "code out of the " + bits + "-bit range",
            qmin + ".." + qmax,
            codes[i]);
      }
    }
  }

  static String label(boolean isFloat, int bits, ScaleGrid grid) {
    return (isFloat ? "ct-fp8-" : "ct-int" + bits + "-") + grid;
  }
}
