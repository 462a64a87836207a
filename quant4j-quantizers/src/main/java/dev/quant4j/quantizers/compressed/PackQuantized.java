package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code pack-quantized} format of an int Linear: {@code weight_packed} (I32 {@code [out,
 * ceil(in * bits / 32)]}, {@link Int32Packing}), {@code weight_scale} (the scale dtype, one per
 * {@link ScaleGrid} tile), {@code weight_shape} (I64 {@code [2]} = {@code [out, in]}; I32 accepted)
 * and, for asymmetric schemes, {@code weight_zero_point}: packed along dim 0 (I32 {@code [ceil(out
 * * bits / 32), groups]}) for group and channel strategies, else I8 of the scale's shape.
 */
final class PackQuantized {
  static final String FORMAT = "pack-quantized";

  private PackQuantized() {}

  /** Packs freshly quantized codes; the kernel reads the packed words where it can. */
  static CtLinear write(
      String name,
      byte[] q,
      ScaleGrid grid,
      MinMaxQuantization.QParams qp,
      int bits,
      ScaleDtype dt,
      ActivationQuantizer activations) {
    int rows = grid.rows();
    int cols = grid.cols();
    StoredTensor packed =
        CtTensors.int32(
            "weight_packed",
            new long[] {rows, Int32Packing.words(cols, bits)},
            Int32Packing.packRows(q, rows, cols, bits));
    List<StoredTensor> stored = new ArrayList<>();
    stored.add(packed);
    stored.add(CtTensors.floats("weight_scale", dt, grid.scaleShape(), qp.scales()));
    stored.add(CtTensors.int64("weight_shape", rows, cols));
    if (qp.zeros() != null) {
      stored.add(zeroPoints(grid, qp.zeros(), bits));
    }
    GroupedIntMatrix m =
        KernelLayouts.grouped(
            null,
            name,
            q,
            aligned(packed.data(), bits, cols),
            bits,
            grid,
            qp.scales(),
            qp.zeros(),
            activations);
    return new CtLinear(m, label(bits, grid), stored, dt);
  }

  private static StoredTensor zeroPoints(ScaleGrid grid, int[] zeros, int bits) {
    if (packsZeroPoints(grid)) {
      int r = grid.scaleRows();
      int c = grid.scaleCols();
      return CtTensors.int32(
          "weight_zero_point",
          new long[] {Int32Packing.words(r, bits), c},
          Int32Packing.packColumns(zeros, r, c, bits));
    }
    return CtTensors.int8("weight_zero_point", grid.scaleShape(), zeros);
  }

  /** compressed-tensors packs zero points of the group and channel strategies only. */
  private static boolean packsZeroPoints(ScaleGrid grid) {
    return grid.strategy().equals("group") || grid.strategy().equals("channel");
  }

  /** The packed words when they are the kernel's codes as they stand. */
  private static MemorySegment aligned(MemorySegment words, int bits, int cols) {
    boolean same = KernelLayouts.containerBits(bits) == bits && (long) cols * bits % 32 == 0;
    return same ? words : null;
  }

  /** Reads a module in this format; the stored tensors are kept as read. */
  static CtLinear read(
      CtTensors t, QuantizationArgs args, ActivationQuantizer activations, Set<String> extra) {
    Set<String> allowed = new java.util.HashSet<>(extra);
    allowed.addAll(
        Set.of(
            "weight_packed", "weight_shape", "weight_scale", "weight_zero_point", "weight_g_idx"));
    t.allowOnly(allowed);
    int bits = args.numBits();
    TensorView packed = t.require("weight_packed", DType.I32);
    long[] pd = t.requireMatrix(packed);
    TensorView shapeTensor = t.require("weight_shape", DType.I64, DType.I32);
    t.requireShape(shapeTensor, 2);
    long[] shape = t.integers(shapeTensor);
    if (shape[0] != pd[0]
        || shape[1] <= 0
        || shape[1] > Integer.MAX_VALUE
        || Int32Packing.words(shape[1], bits) != pd[1]
        || shape[0] * shape[1] > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          t.file(),
          shapeTensor.name(),
          "does not match " + packed.name() + " " + packed.shape() + " at " + bits + " bits",
          "[" + pd[0] + ", in_features]",
          java.util.Arrays.toString(shape));
    }
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    ScaleGrid grid = ScaleGrid.of(args, rows, cols, t.file(), t.name("weight"));
    MemorySegment codes = aligned(packed.data(), bits, cols);
    // Only a layout the kernels cannot read as stored is unpacked (and widened).
    byte[] q =
        codes != null ? null : Int32Packing.unpackRows(CtTensors.words(packed), rows, cols, bits);
    Scales s = Scales.read(t, grid, args);
    int[] zeros = null;
    if (!args.symmetric()) {
      zeros = readZeroPoints(t, grid, bits);
    }
    List<StoredTensor> stored = new ArrayList<>();
    for (String suffix : List.of("weight_packed", "weight_scale", "weight_shape")) {
      stored.add(t.stored(suffix));
    }
    s.keepOptional(t, stored);
    GroupedIntMatrix m =
        KernelLayouts.grouped(
            t.file(), t.name("weight"), q, codes, bits, grid, s.values(), zeros, activations);
    return new CtLinear(m, label(bits, grid), stored, s.dtype());
  }

  private static int[] readZeroPoints(CtTensors t, ScaleGrid grid, int bits) {
    if (packsZeroPoints(grid)) {
      TensorView z = t.require("weight_zero_point", DType.I32);
      t.requireShape(z, Int32Packing.words(grid.scaleRows(), bits), grid.scaleCols());
      return Int32Packing.unpackColumns(
          CtTensors.words(z), grid.scaleRows(), grid.scaleCols(), bits);
    }
    return Scales.unpackedZeroPoints(t, grid, bits);
  }

  static String label(int bits, ScaleGrid grid) {
    return "ct-int" + bits + "-" + grid;
  }
}
