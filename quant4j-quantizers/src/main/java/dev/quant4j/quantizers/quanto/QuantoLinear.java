package dev.quant4j.quantizers.quanto;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A frozen quanto {@code QLinear} weight {@code [rows, cols]}: its codes, scales and shifts as
 * quanto keeps them, and the kernel layout they repack into.
 *
 * <ul>
 *   <li>qint8: {@code W = scale[r] * q} with int8 codes, multiplied as {@link Int8RowMatrix} (its
 *       per-row factor {@code (127 * scale) / 127} is the scale to within one float32 ulp);
 *   <li>qfloat8: {@code W = scale[r] * e4m3(q)}, an {@link Fp8Matrix} with per-channel scales
 *       (exact: the scale is a bf16/f16/f32 value);
 *   <li>qint4/qint2: per group of {@code groupSize} columns (the whole row when quanto does not
 *       group) {@code W = scale * q - shift}, a {@link GroupedIntMatrix} with {@code zero = shift /
 *       scale}, which differs from quanto's two roundings in the weight dtype by at most half an
 *       ulp of that dtype plus a float32 ulp of {@code shift}; integer (zero-point) shifts are
 *       exact.
 * </ul>
 *
 * With quantized activations ({@code activations} qint8 or qfloat8_e4m3fn) the layout carries a
 * {@link QuantoActivationQuantizer} with the module's {@code input_scale} and {@code output_scale};
 * qint8 weights then repack into an 8-bit {@link GroupedIntMatrix} (zero 128, one group per row),
 * the same values, since {@link Int8RowMatrix} has no activation quantizer.
 *
 * <p>{@link #dequantize} gives quanto's own dequantized values, rounded in the weight dtype as
 * torch does.
 */
final class QuantoLinear implements QuantizedWeight {
  private static final java.lang.foreign.ValueLayout.OfFloat F32_LE =
      java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(
          java.nio.ByteOrder.LITTLE_ENDIAN);

  private final QuantoQtype qtype;
  private final WeightDtype dtype;
  private final int rows;
  private final int cols;
  private final int groupSize;
  // 8-bit codes one a byte (shared with the kernel layout); null for qint4/qint2, which keep only
  // the kernels' packed codes: one a byte beside them would be twice the weight's memory.
  private final byte[] codes;
  private final byte[] packed; // qint4/qint2 codes, flat row-major, first in a byte's lowest bits
  private final float[] scale;
  private final float[] shift;
  private final DType shiftDtype;
  private final StoredTensor inputScale;
  private final StoredTensor outputScale;
  private final QuantoQtype activations;
  private WeightMatrix matrix; // built on first use: a reloaded weight may be reshaped first

  /**
   * @param groupSize quanto's group size; 0 for one group per row (quanto's {@code
   *     group_size=None})
   * @param codes {@code rows * cols} codes (taken over, not copied), row-major: int8, e4m3, or
   *     unsigned 2/4-bit values one a byte
   * @param scale one per row (8-bit) or one per group ({@code rows * cols / groupSize})
   * @param shift as {@code scale} for packed types, else null
   * @param shiftDtype the weight dtype for float shifts, U8 or I8 for zero-point shifts
   * @param inputScale the module's {@code input_scale} as stored (0-d)
   * @param outputScale the module's {@code output_scale} as stored (0-d)
   * @param activations the module's activation qtype (QINT8 or QFLOAT8), null for weight-only
   */
  QuantoLinear(
      QuantoQtype qtype,
      WeightDtype dtype,
      int rows,
      int cols,
      int groupSize,
      byte[] codes,
      float[] scale,
      float[] shift,
      DType shiftDtype,
      StoredTensor inputScale,
      StoredTensor outputScale,
      QuantoQtype activations) {
    if (codes.length != rows * cols) {
      throw new IllegalStateException("quanto weight codes do not match " + rows + "x" + cols);
    }
    if (offsetCodes(qtype, activations)) {
      // Kept once, as the grouped layout's unsigned codes (see int8Grouped).
      for (int i = 0; i < codes.length; i++) {
        codes[i] ^= (byte) 0x80;
      }
    }
    this(
        qtype,
        dtype,
        rows,
        cols,
        groupSize,
        qtype.isPacked() ? null : codes,
        qtype.isPacked() ? pack(codes, qtype.bits()) : null,
        scale,
        shift,
        shiftDtype,
        inputScale,
        outputScale,
        activations);
  }

  private QuantoLinear(
      QuantoQtype qtype,
      WeightDtype dtype,
      int rows,
      int cols,
      int groupSize,
      byte[] codes,
      byte[] packed,
      float[] scale,
      float[] shift,
      DType shiftDtype,
      StoredTensor inputScale,
      StoredTensor outputScale,
      QuantoQtype activations) {
    int perRow = groupSize == 0 ? 1 : cols / groupSize;
    if (scale.length != rows * perRow
        || (qtype.isPacked() != (shift != null))
        || (shift != null && shift.length != scale.length)) {
      throw new IllegalStateException("quanto weight parts do not match " + rows + "x" + cols);
    }
    this.qtype = qtype;
    this.dtype = dtype;
    this.rows = rows;
    this.cols = cols;
    this.groupSize = groupSize;
    this.codes = codes;
    this.packed = packed;
    this.scale = scale;
    this.shift = shift;
    this.shiftDtype = shiftDtype;
    this.inputScale = inputScale;
    this.outputScale = outputScale;
    this.activations = activations;
  }

  /**
   * quanto's checkpoints do not record a grouped weight's {@code [rows, cols]}: a reloaded qint4 or
   * qint2 weight starts as {@code [groups, groupSize]} and learns its shape here, when the model is
   * built. The groups are consecutive runs of the flat weight either way, so only the view changes.
   */
  @Override
  public QuantizedWeight withShape(int newRows, int newCols) {
    if ((newRows == rows && newCols == cols) || !qtype.isPacked() || groupSize != 0) {
      return this;
    }
    if (newRows <= 0
        || newCols <= 0
        || (long) newRows * newCols != (long) rows * cols
        || QuantoQtype.groupSize(newCols) != cols) {
      return this; // the caller reports the shape mismatch
    }
    return new QuantoLinear(
        qtype,
        dtype,
        newRows,
        newCols,
        cols,
        codes,
        packed,
        scale,
        shift,
        shiftDtype,
        inputScale,
        outputScale,
        activations);
  }

  /**
   * A qint4/qint2 weight from codes already in the kernels' packing ({@link #putPacked}); the other
   * parts as for the public constructor.
   */
  static QuantoLinear ofPacked(
      QuantoQtype qtype,
      WeightDtype dtype,
      int rows,
      int cols,
      int groupSize,
      byte[] packed,
      float[] scale,
      float[] shift,
      DType shiftDtype,
      StoredTensor inputScale,
      StoredTensor outputScale,
      QuantoQtype activations) {
    if (!qtype.isPacked() || packed.length != Math.ceilDiv((long) rows * cols, 8 / qtype.bits())) {
      throw new IllegalStateException("quanto packed codes do not match " + rows + "x" + cols);
    }
    return new QuantoLinear(
        qtype,
        dtype,
        rows,
        cols,
        groupSize,
        null,
        packed,
        scale,
        shift,
        shiftDtype,
        inputScale,
        outputScale,
        activations);
  }

  /** Room for {@code n} codes of {@code bits} bits in the kernels' packing. */
  static byte[] newPacked(int n, int bits) {
    return new byte[Math.ceilDiv(n, 8 / bits)];
  }

  /** Stores code {@code u} of flat element {@code i}: first element in a byte's lowest bits. */
  static void putPacked(byte[] packed, int i, int u, int bits) {
    int perByte = 8 / bits;
    packed[i / perByte] |= (byte) (u << (bits * (i % perByte)));
  }

  /** Codes one a byte to the kernels' packing, flat over the whole weight. */
  private static byte[] pack(byte[] codes, int bits) {
    byte[] out = newPacked(codes.length, bits);
    for (int i = 0; i < codes.length; i++) {
      putPacked(out, i, codes[i] & 0xFF, bits);
    }
    return out;
  }

  /**
   * Whether {@link #codes} hold int8 codes offset by 128 ({@code q ^ 0x80}): qint8 weights with
   * quantized activations, whose kernel layout reads them so.
   */
  private static boolean offsetCodes(QuantoQtype qtype, QuantoQtype activations) {
    return qtype == QuantoQtype.QINT8 && activations != null;
  }

  /** The code of flat element {@code i}. */
  private byte codeAt(int i) {
    if (packed == null) {
      return offsetCodes(qtype, activations) ? (byte) (codes[i] ^ 0x80) : codes[i];
    }
    int bits = qtype.bits();
    int perByte = 8 / bits;
    return (byte) ((packed[i / perByte] >>> (bits * (i % perByte))) & ((1 << bits) - 1));
  }

  QuantoQtype qtype() {
    return qtype;
  }

  WeightDtype dtype() {
    return dtype;
  }

  int rows() {
    return rows;
  }

  int cols() {
    return cols;
  }

  int groupSize() {
    return groupSize;
  }

  byte code(int row, int col) {
    return codeAt(row * cols + col);
  }

  /** The codes one a byte, row-major (a copy). */
  byte[] codes() {
    if (packed == null && !offsetCodes(qtype, activations)) {
      return codes.clone();
    }
    byte[] out = new byte[rows * cols];
    for (int i = 0; i < out.length; i++) {
      out[i] = codeAt(i);
    }
    return out;
  }

  float[] scale() {
    return scale.clone();
  }

  float[] shift() {
    return shift == null ? null : shift.clone();
  }

  DType shiftDtype() {
    return shiftDtype;
  }

  StoredTensor inputScale() {
    return inputScale;
  }

  StoredTensor outputScale() {
    return outputScale;
  }

  /** The activation qtype, null when activations stay float ({@code "none"}). */
  QuantoQtype activations() {
    return activations;
  }

  /** The kernels' view of quanto's input and output quantization, NONE for weight-only. */
  private ActivationQuantizer activationQuantizer() {
    if (activations == null) {
      return ActivationQuantizer.NONE;
    }
    return new QuantoActivationQuantizer(
        QuantoActivationQuantizer.isFp8(activations),
        dtype,
        QuantoFormat.scaleOf(inputScale),
        QuantoFormat.scaleOf(outputScale));
  }

  private WeightMatrix buildMatrix() {
    if (qtype == QuantoQtype.QINT8 && activations != null) {
      return int8Grouped();
    }
    return switch (qtype) {
      case QINT8 -> {
        float[] absmax = new float[rows];
        for (int r = 0; r < rows; r++) {
          absmax[r] = scale[r] * 127f;
        }
        // Weight-only: activations stay float as in quanto (activations "none").
        yield new Int8RowMatrix(
            MemorySegment.ofArray(codes), f32(absmax), rows, cols, ActivationPrecision.F32);
      }
      case QFLOAT8 ->
          new Fp8Matrix(
              MemorySegment.ofArray(codes), f32(scale), rows, cols, 1, cols, activationQuantizer());
      case QINT4, QINT2 -> groupedMatrix();
    };
  }

  /**
   * qint8 weights with quantized activations: {@link Int8RowMatrix} carries no activation
   * quantizer, so the same {@code W = q * scale} as an 8-bit grouped matrix, one group per row,
   * codes offset by 128 (exact).
   */
  private GroupedIntMatrix int8Grouped() {
    byte[] u = codes; // already q + 128, which is q ^ 0x80 (see offsetCodes)
    float[] zero = new float[rows];
    java.util.Arrays.fill(zero, 128f);
    return new GroupedIntMatrix(
        MemorySegment.ofArray(u),
        8,
        f32(scale),
        f32(zero),
        rows,
        cols,
        cols,
        activationQuantizer());
  }

  private GroupedIntMatrix groupedMatrix() {
    int bits = qtype.bits();
    if (cols * bits % 8 != 0) {
      throw new dev.quant4j.error.NotSupportedException(
          null,
          "a quanto "
              + qtype.qmapName()
              + " weight of "
              + cols
              + " columns (a multiple of "
              + 8 / bits
              + " is needed to pack rows in whole bytes)");
    }
    // With whole-byte rows the flat packing is the kernels' row-major one.
    float[] s = new float[scale.length];
    float[] z = new float[scale.length];
    boolean integerShift = shiftDtype != dtype.dtype();
    for (int g = 0; g < scale.length; g++) {
      if (integerShift) {
        s[g] = scale[g];
        z[g] = shift[g];
      } else if (scale[g] == 0f) {
        // A constant group: every code is 0 and the weight is -shift; scale 1 keeps it finite.
        s[g] = 1f;
        z[g] = shift[g];
      } else {
        s[g] = scale[g];
        z[g] = shift[g] / scale[g];
      }
    }
    return new GroupedIntMatrix(
        MemorySegment.ofArray(packed),
        bits,
        f32(s),
        f32(z),
        rows,
        cols,
        groupSize == 0 ? cols : groupSize,
        activationQuantizer());
  }

  private static MemorySegment f32(float[] values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
    for (int i = 0; i < values.length; i++) {
      seg.set(F32_LE, 4L * i, values[i]);
    }
    return seg;
  }

  @Override
  public synchronized WeightMatrix matrix() {
    if (matrix == null) {
      matrix = buildMatrix();
    }
    return matrix;
  }

  /** The quanto qtype name, as {@code quanto_qmap.json} writes it. */
  @Override
  public String format() {
    return qtype.qmapName();
  }

  @Override
  public long storageBytes() {
    return matrix().storageBytes();
  }

  @Override
  public List<StoredTensor> checkpointTensors() {
    return QuantoFormat.write(this);
  }

  /** quanto's {@code dequantize()}: each op rounded to the weight dtype. */
  @Override
  public float[] dequantize() {
    float[] out = new float[rows * cols];
    int gs = groupSize == 0 ? cols : groupSize;
    for (int i = 0; i < out.length; i++) {
      int row = i / cols;
      int g = qtype.isPacked() ? (row * (cols / gs) + (i % cols) / gs) : row;
      float s = scale[g];
      out[i] =
          switch (qtype) {
            case QINT8 -> dtype.round(codeAt(i) * s);
            case QFLOAT8 -> dtype.round(FloatConversions.e4m3ToFloat(codes[i]) * s);
            case QINT4, QINT2 -> {
              int q = codeAt(i) & 0xFF;
              yield shiftDtype == dtype.dtype()
                  ? dtype.round(dtype.round(s * q) - shift[g])
                  : dtype.round(s * (q - shift[g]));
            }
          };
    }
    return out;
  }
}
