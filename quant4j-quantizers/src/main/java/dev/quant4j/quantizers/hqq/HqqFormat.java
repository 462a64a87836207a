package dev.quant4j.quantizers.hqq;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@code HQQLinear} as hqq's {@code state_dict} with {@code encoded_state_dict=True} does
 * (spec §5.2): ints as 0-d int32, the shape as int64 {@code [2]}, booleans as 0-d uint8, strings
 * and dtypes as uint8 character codes, {@code scale} (the dequantization multiplier) and {@code
 * zero} in the compute dtype with shape {@code [R, 1]}. {@link HqqReader} reads it back.
 */
final class HqqFormat {
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt I32_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong I64_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private HqqFormat() {}

  /** The module's tensors, named relative to it, in the order {@code HQQLinear.state_dict} has. */
  static List<StoredTensor> write(HqqLinear w) {
    HqqSettings s = w.settings();
    HqqPacking packing = s.packing();
    int groups = w.groups();
    int groupSize = s.groupSize();
    byte[] packed = packing.pack(w.codes(), groups, groupSize);
    long[] wqShape = {packing.packedRows(groups), groupSize};
    DType wqDtype = packing.storage();
    if (s.viewAsFloat()) {
      // W_q.view(compute_dtype): the same bytes, the last dimension counted in floats.
      wqDtype = s.computeDtype();
      wqShape[1] = groupSize * packing.storage().byteSize(1) / wqDtype.byteSize(1);
    }
    List<StoredTensor> out = new ArrayList<>();
    out.add(tensor("W_q", wqDtype, wqShape, packed));
    out.add(int32("nbits", s.nbits()));
    out.add(int32("group_size", groupSize));
    out.add(
        new StoredTensor("shape", DType.I64, Shape.of(2), longs(new long[] {w.rows(), w.cols()})));
    out.add(new StoredTensor("scale", s.computeDtype(), Shape.of(groups, 1), w.storedScale()));
    out.add(new StoredTensor("zero", s.computeDtype(), Shape.of(groups, 1), w.storedZero()));
    out.add(int32("axis", s.axis()));
    out.add(string("packing", packing.packingName()));
    out.add(string("unpack_view_dtype", packing.viewDtypeName()));
    out.add(bool("view_as_float", s.viewAsFloat()));
    out.add(bool("quant_scale", false));
    out.add(bool("quant_zero", false));
    out.add(string("compute_dtype", HqqSettings.torchName(s.computeDtype())));
    out.add(bool("offload_meta", s.offloadMeta()));
    out.add(bool("encoded_state_dict", true));
    out.add(bool("stores_quant_config", true));
    out.add(bool("channel_wise", s.channelWise()));
    out.add(bool("optimize", s.optimize()));
    out.add(bool("round_zero", s.roundZero()));
    return out;
  }

  /** Float values cast to the compute dtype (round to nearest even), little-endian. */
  static MemorySegment encodeFloats(float[] values, DType dtype) {
    MemorySegment seg =
        MemorySegment.ofArray(new byte[Math.toIntExact(dtype.byteSize(values.length))]);
    for (int i = 0; i < values.length; i++) {
      switch (dtype) {
        case F16 -> seg.setAtIndex(I16_LE, i, FloatConversions.floatToF16(values[i]));
        case BF16 -> seg.setAtIndex(I16_LE, i, FloatConversions.floatToBf16(values[i]));
        case F32 -> seg.setAtIndex(F32_LE, i, values[i]);
        default -> throw new IllegalArgumentException("not an hqq compute dtype: " + dtype);
      }
    }
    return seg;
  }

  /** Element {@code i} of a float tensor of {@code dtype}. */
  static float readFloat(MemorySegment seg, DType dtype, long i) {
    return switch (dtype) {
      case F16 -> FloatConversions.f16ToFloat(seg.getAtIndex(I16_LE, i));
      case BF16 -> FloatConversions.bf16ToFloat(seg.getAtIndex(I16_LE, i));
      case F32 -> seg.getAtIndex(F32_LE, i);
      default -> throw new IllegalArgumentException("not an hqq compute dtype: " + dtype);
    };
  }

  private static StoredTensor tensor(String suffix, DType dtype, long[] shape, byte[] bytes) {
    return new StoredTensor(suffix, dtype, Shape.of(shape), MemorySegment.ofArray(bytes));
  }

  private static StoredTensor int32(String suffix, int value) {
    MemorySegment seg = MemorySegment.ofArray(new byte[4]);
    seg.set(I32_LE, 0, value);
    return new StoredTensor(suffix, DType.I32, Shape.of(), seg);
  }

  private static StoredTensor bool(String suffix, boolean value) {
    return tensor(suffix, DType.U8, new long[0], new byte[] {(byte) (value ? 1 : 0)});
  }

  private static StoredTensor string(String suffix, String value) {
    byte[] chars = value.getBytes(StandardCharsets.US_ASCII);
    return tensor(suffix, DType.U8, new long[] {chars.length}, chars);
  }

  private static MemorySegment longs(long[] values) {
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 8]);
    for (int i = 0; i < values.length; i++) {
      seg.setAtIndex(I64_LE, i, values[i]);
    }
    return seg;
  }
}
