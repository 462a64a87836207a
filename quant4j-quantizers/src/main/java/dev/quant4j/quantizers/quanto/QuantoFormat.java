package dev.quant4j.quantizers.quanto;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.E4m3;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a frozen quanto {@code QLinear} as {@code QModuleMixin._save_to_state_dict} writes
 * them, module-relative:
 *
 * <ul>
 *   <li>qint8 / qfloat8 ({@code WeightQBytesTensor}): {@code weight._data} int8 / float8_e4m3fn
 *       {@code [O, I]}, {@code weight._scale} {@code [O, 1]} in the weight dtype;
 *   <li>qint4 / qint2 ({@code WeightQBitsTensor}): {@code weight._data._data} uint8 {@code [ceil(R
 *       / (8/b)), C]} packed by {@code pack_weights} (row {@code r' + k * ceil(R/(8/b))} in bits
 *       {@code [k*b, (k+1)*b)}), {@code weight._scale} and {@code weight._shift} {@code [R, 1]},
 *       where {@code [R, C]} is the grouped shape ({@code [O*I/gs, gs]}, or {@code [O, I]}
 *       ungrouped); the shift is in the weight dtype, or uint8/int8 in zero-point mode;
 *   <li>{@code input_scale}, {@code output_scale}: 0-d floats (1.0 unless calibrated), kept as
 *       read; with quantized activations they are the static scales of the module's input and
 *       output, so they must be positive and finite (1.0 when absent, the value quanto gives a
 *       module before loading its state dict).
 * </ul>
 */
final class QuantoFormat {
  static final String DATA = "weight._data";
  static final String PACKED = "weight._data._data";
  static final String SCALE = "weight._scale";
  static final String SHIFT = "weight._shift";
  static final String INPUT_SCALE = "input_scale";
  static final String OUTPUT_SCALE = "output_scale";

  private static final Set<String> KNOWN =
      Set.of(DATA, PACKED, SCALE, SHIFT, INPUT_SCALE, OUTPUT_SCALE, "bias");

  private QuantoFormat() {}

  /** Reads the weight-only {@code qtype} weight of module {@code prefix}. */
  static QuantoLinear read(String prefix, QuantoQtype qtype, TensorLookup tensors) {
    return read(prefix, qtype, null, tensors);
  }

  /**
   * Reads the {@code qtype} weight of module {@code prefix} ({@code bias} stays the model's), with
   * activations of qtype {@code activations} (null: none).
   */
  static QuantoLinear read(
      String prefix, QuantoQtype qtype, QuantoQtype activations, TensorLookup tensors) {
    Path file = tensors.source();
    for (String name : tensors.namesStartingWith(prefix + ".")) {
      if (!KNOWN.contains(name.substring(prefix.length() + 1))) {
        throw new FormatException(
            file, name, "unexpected tensor in a quanto module", "one of " + KNOWN, name);
      }
    }
    TensorView scaleT = tensors.require(prefix + "." + SCALE);
    WeightDtype dtype = WeightDtype.of(file, scaleT.name(), scaleT.dtype());
    StoredTensor in = scalar(tensors, prefix + "." + INPUT_SCALE, dtype);
    StoredTensor out = scalar(tensors, prefix + "." + OUTPUT_SCALE, dtype);
    if (activations != null) {
      for (var e : List.of(Map.entry(INPUT_SCALE, in), Map.entry(OUTPUT_SCALE, out))) {
        float v = scaleValue(e.getValue());
        if (!(v > 0f) || !Float.isFinite(v)) {
          throw new FormatException(
              file,
              prefix + "." + e.getKey(),
              "the static scale of quantized activations must be positive and finite",
              "> 0",
              v);
        }
      }
    }
    return qtype.isPacked()
        ? readPacked(file, prefix, qtype, activations, tensors, scaleT, dtype, in, out)
        : readBytes(file, prefix, qtype, activations, tensors, scaleT, dtype, in, out);
  }

  private static QuantoLinear readBytes(
      Path file,
      String prefix,
      QuantoQtype qtype,
      QuantoQtype activations,
      TensorLookup tensors,
      TensorView scaleT,
      WeightDtype dtype,
      StoredTensor in,
      StoredTensor out) {
    if (tensors.find(prefix + "." + PACKED).isPresent()) {
      throw new FormatException(
          file, prefix + "." + PACKED, "packed data in a " + qtype.qmapName() + " module");
    }
    TensorView data = tensors.require(prefix + "." + DATA);
    DType want = qtype == QuantoQtype.QINT8 ? DType.I8 : DType.F8_E4M3;
    checkDtype(file, data, want);
    int[] dims = matrixDims(file, data);
    int rows = dims[0];
    int cols = dims[1];
    long[] scaleShape = scaleT.shape().dims();
    boolean perRow = Arrays.equals(scaleShape, new long[] {rows, 1});
    boolean perTensor = rows == 1 && scaleShape.length == 0; // quanto's axis=None for one row
    if (!perRow && !perTensor) {
      throw new FormatException(
          file, scaleT.name(), "wrong scale shape", "[" + rows + ", 1]", scaleT.shape());
    }
    float[] scale = finite(file, scaleT, dtype.decode(scaleT.data(), rows));
    byte[] codes = data.data().toArray(ValueLayout.JAVA_BYTE);
    if (qtype == QuantoQtype.QFLOAT8) {
      for (int i = 0; i < codes.length; i++) {
        if (E4m3.isNaN(codes[i])) {
          throw new FormatException(
              file,
              data.name() + "[" + i / cols + ", " + i % cols + "]",
              "NaN float8 code",
              "a finite e4m3 value",
              String.format("0x%02x", codes[i] & 0xFF));
        }
      }
    }
    return new QuantoLinear(
        qtype, dtype, rows, cols, 0, codes, scale, null, null, in, out, activations);
  }

  private static QuantoLinear readPacked(
      Path file,
      String prefix,
      QuantoQtype qtype,
      QuantoQtype activations,
      TensorLookup tensors,
      TensorView scaleT,
      WeightDtype dtype,
      StoredTensor in,
      StoredTensor out) {
    if (tensors.find(prefix + "." + DATA).isPresent()) {
      throw new FormatException(
          file,
          prefix + "." + DATA,
          "unpacked data in a " + qtype.qmapName() + " module",
          PACKED,
          DATA);
    }
    TensorView data = tensors.require(prefix + "." + PACKED);
    checkDtype(file, data, DType.U8);
    int[] dims = matrixDims(file, data);
    long[] scaleShape = scaleT.shape().dims();
    if (scaleShape.length != 2 || scaleShape[1] != 1 || scaleShape[0] <= 0) {
      throw new FormatException(file, scaleT.name(), "wrong scale shape", "[R, 1]", scaleT.shape());
    }
    int perByte = 8 / qtype.bits();
    long groupsL = scaleShape[0];
    int cols = dims[1];
    if (Math.ceilDiv(groupsL, perByte) != dims[0] || groupsL * cols > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          file,
          data.name(),
          "packed rows do not match the " + groupsL + " scales",
          "[" + Math.ceilDiv(groupsL, perByte) + ", " + cols + "]",
          data.shape());
    }
    int groups = (int) groupsL;
    TensorView shiftT = tensors.require(prefix + "." + SHIFT);
    if (!Arrays.equals(shiftT.shape().dims(), scaleShape)) {
      throw new FormatException(
          file,
          shiftT.name(),
          "shift shape differs from the scale's",
          scaleT.shape(),
          shiftT.shape());
    }
    float[] scale = finite(file, scaleT, dtype.decode(scaleT.data(), groups));
    float[] shift;
    DType shiftDtype = shiftT.dtype();
    if (shiftDtype == DType.U8 || shiftDtype == DType.I8) {
      shift = new float[groups];
      for (int g = 0; g < groups; g++) {
        byte b = shiftT.data().get(ValueLayout.JAVA_BYTE, g);
        shift[g] = shiftDtype == DType.U8 ? b & 0xFF : b;
      }
    } else if (shiftDtype == dtype.dtype()) {
      shift = finite(file, shiftT, dtype.decode(shiftT.data(), groups));
    } else {
      throw new FormatException(
          file,
          shiftT.name(),
          "shift must be in the scale's dtype or an integer zero-point",
          dtype.dtype() + ", U8 or I8",
          shiftDtype);
    }
    byte[] codes = unpack(data.data(), qtype.bits(), groups, cols);
    return new QuantoLinear(
        qtype, dtype, groups, cols, 0, codes, scale, shift, shiftDtype, in, out, activations);
  }

  /** The module-relative tensors of {@code w}, in quanto's state-dict order. */
  static List<StoredTensor> write(QuantoLinear w) {
    List<StoredTensor> out = new ArrayList<>();
    WeightDtype d = w.dtype();
    if (w.qtype().isPacked()) {
      int gs = w.groupSize() == 0 ? w.cols() : w.groupSize();
      int groups = w.rows() * (w.cols() / gs);
      byte[] packed = pack(w.codes(), w.qtype().bits(), groups, gs);
      int perByte = 8 / w.qtype().bits();
      out.add(tensor(PACKED, DType.U8, packed, Math.ceilDiv(groups, perByte), gs));
      out.add(tensor(SCALE, d.dtype(), d.encode(w.scale()), groups, 1));
      byte[] shift;
      if (w.shiftDtype() == d.dtype()) {
        shift = d.encode(w.shift());
      } else {
        float[] s = w.shift();
        shift = new byte[s.length];
        for (int i = 0; i < s.length; i++) {
          shift[i] = (byte) (int) s[i];
        }
      }
      out.add(tensor(SHIFT, w.shiftDtype(), shift, groups, 1));
    } else {
      DType codeType = w.qtype() == QuantoQtype.QINT8 ? DType.I8 : DType.F8_E4M3;
      out.add(tensor(DATA, codeType, w.codes(), w.rows(), w.cols()));
      out.add(tensor(SCALE, d.dtype(), d.encode(w.scale()), w.rows(), 1));
    }
    out.add(renamed(INPUT_SCALE, w.inputScale()));
    out.add(renamed(OUTPUT_SCALE, w.outputScale()));
    return out;
  }

  /**
   * {@code pack_weights}: row {@code r} of {@code [rows, cols]} goes to packed row {@code r % rd}.
   */
  static byte[] pack(byte[] codes, int bits, int rows, int cols) {
    int perByte = 8 / bits;
    int rd = Math.ceilDiv(rows, perByte);
    byte[] out = new byte[rd * cols];
    for (int r = 0; r < rows; r++) {
      int shift = bits * (r / rd);
      int dst = (r % rd) * cols;
      for (int c = 0; c < cols; c++) {
        out[dst + c] |= (byte) ((codes[r * cols + c] & 0xFF) << shift);
      }
    }
    return out;
  }

  /** The inverse of {@link #pack}: {@code rows * cols} codes, one a byte. */
  static byte[] unpack(MemorySegment packed, int bits, int rows, int cols) {
    int perByte = 8 / bits;
    int rd = Math.ceilDiv(rows, perByte);
    int mask = (1 << bits) - 1;
    byte[] out = new byte[rows * cols];
    for (int r = 0; r < rows; r++) {
      int shift = bits * (r / rd);
      long src = (long) (r % rd) * cols;
      for (int c = 0; c < cols; c++) {
        int b = packed.get(ValueLayout.JAVA_BYTE, src + c) & 0xFF;
        out[r * cols + c] = (byte) ((b >>> shift) & mask);
      }
    }
    return out;
  }

  private static StoredTensor tensor(String suffix, DType dtype, byte[] bytes, long... dims) {
    return new StoredTensor(suffix, dtype, Shape.of(dims), MemorySegment.ofArray(bytes));
  }

  private static StoredTensor renamed(String suffix, StoredTensor t) {
    return new StoredTensor(suffix, t.dtype(), t.shape(), t.data());
  }

  /** The value of a 0-d F32, BF16 or F16 scale. */
  static float scaleValue(StoredTensor t) {
    return WeightDtype.of(null, "a quanto activation scale", t.dtype()).decode(t.data(), 1)[0];
  }

  /** A 0-d scale as the activation quantizer uses it: its value and the dtype it rounds to. */
  static QuantoActivationQuantizer.Scale scaleOf(StoredTensor t) {
    return new QuantoActivationQuantizer.Scale(
        scaleValue(t), WeightDtype.of(null, "a quanto activation scale", t.dtype()));
  }

  /** A 0-d float as stored (copied), or 1.0 in the weight dtype when the checkpoint has none. */
  private static StoredTensor scalar(TensorLookup tensors, String name, WeightDtype dtype) {
    var found = tensors.find(name);
    if (found.isEmpty()) {
      return QuantoWeightQuantizer.unitScale(dtype);
    }
    TensorView t = found.get();
    if (t.shape().rank() != 0
        || (t.dtype() != DType.F32 && t.dtype() != DType.BF16 && t.dtype() != DType.F16)) {
      throw new FormatException(
          tensors.source(), name, "expected a 0-d float scale", "0-d F32, BF16 or F16", t);
    }
    byte[] bytes = t.data().toArray(ValueLayout.JAVA_BYTE);
    return new StoredTensor("", t.dtype(), t.shape(), MemorySegment.ofArray(bytes));
  }

  private static void checkDtype(Path file, TensorView t, DType want) {
    if (t.dtype() != want) {
      throw new FormatException(file, t.name(), "wrong dtype", want, t.dtype());
    }
  }

  private static int[] matrixDims(Path file, TensorView t) {
    long[] d = t.shape().dims();
    if (d.length != 2
        || d[0] <= 0
        || d[1] <= 0
        || d[0] > Integer.MAX_VALUE
        || d[1] > Integer.MAX_VALUE
        || d[0] * d[1] > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          file,
          t.name(),
          "expected a non-empty 2-D tensor below 2^31 elements",
          "[rows, cols]",
          t.shape());
    }
    return new int[] {(int) d[0], (int) d[1]};
  }

  private static float[] finite(Path file, TensorView t, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new FormatException(
            file, t.name() + "[" + i + "]", "not finite", "finite", values[i]);
      }
    }
    return values;
  }
}
