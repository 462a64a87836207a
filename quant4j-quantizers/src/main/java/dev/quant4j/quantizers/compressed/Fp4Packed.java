package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code nvfp4-pack-quantized} and {@code mxfp4-pack-quantized} tensors of a Linear: {@code
 * weight_packed} (U8 {@code [out, in / 2]}, even column in the low nibble), {@code weight_scale}
 * (F8_E4M3 resp. U8 E8M0 {@code [out, in / group]}) and, for NVFP4, {@code weight_global_scale}
 * (F32 {@code [1]}). They run on {@link Packed4BitMatrix} with the E2M1 codebook: its blocks are
 * the groups (rows hold whole groups), its per-block f32 scale is {@code e4m3(s) / global} resp.
 * {@code 2^(e - 127)}, so {@code code * scale} in f32 is exactly the product compressed-tensors'
 * {@code _dequantize} forms before rounding it to bf16. The kernel wants the first element of a
 * byte in the high nibble, so the codes are repacked with the nibbles swapped (a loaded layer keeps
 * the checkpoint's view beside them for saving; a freshly quantized one swaps them back when
 * saved). NVFP4 W4A4 layers carry {@link Nvfp4Activations}, the checkpoint's {@code
 * input_global_scale} with them.
 */
final class Fp4Packed {
  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private Fp4Packed() {}

  /** Freshly quantized codes and scales as a layer and the tensors the compressor writes. */
  static CtLinear write(Fp4Scheme s, Fp4Quantization.Result q, int rows, int cols) {
    List<StoredTensor> stored = new ArrayList<>();
    MemorySegment packed = MemorySegment.ofArray(q.packed());
    MemorySegment scales = MemorySegment.ofArray(q.scales());
    int groups = cols / s.groupSize();
    // weight_packed is written from the kernel's nibble-swapped codes when saving (swapping is its
    // own inverse): keeping compressed-tensors' order too would hold the weight twice.
    stored.add(null);
    DType scaleType = s == Fp4Scheme.NVFP4 ? DType.F8_E4M3 : DType.U8;
    stored.add(new StoredTensor("weight_scale", scaleType, Shape.of(rows, groups), scales));
    if (s == Fp4Scheme.NVFP4) {
      MemorySegment g = MemorySegment.ofArray(new byte[4]);
      g.set(F32_LE, 0, q.globalScale());
      stored.add(new StoredTensor("weight_global_scale", DType.F32, Shape.of(1), g));
    }
    return layer(s, packed, scales, q.globalScale(), rows, cols, stored, ActivationQuantizer.NONE);
  }

  /**
   * Reads and checks a module in format {@code s}; its tensors are kept as read, for saving. With
   * NVFP4 input activations ({@code in} not null) the module also holds {@code input_global_scale}.
   */
  static CtLinear read(CtTensors t, Fp4Scheme s, QuantizationArgs in) {
    boolean nv = s == Fp4Scheme.NVFP4;
    Set<String> allowed = new java.util.HashSet<>(Set.of("weight_packed", "weight_scale"));
    if (nv) {
      allowed.add("weight_global_scale");
    }
    if (in != null) {
      allowed.add("input_global_scale");
    }
    t.allowOnly(allowed);
    TensorView packed = t.require("weight_packed", DType.U8);
    long[] pd = t.requireMatrix(packed);
    long cols = 2 * pd[1];
    long rows = pd[0];
    int gs = s.groupSize();
    if (cols % gs != 0 || rows * cols > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          t.file(),
          packed.name(),
          "in_features (twice the packed columns) must be a multiple of the "
              + s.name()
              + " group size, the weight at most 2^31 elements",
          "[out, a multiple of " + gs / 2 + "]",
          packed.shape());
    }
    TensorView scale =
        nv ? t.require("weight_scale", DType.F8_E4M3) : t.require("weight_scale", DType.U8);
    t.requireShape(scale, rows, cols / gs);
    MemorySegment bytes = scale.data();
    for (long i = 0; i < bytes.byteSize(); i++) {
      int b = bytes.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
      if (nv ? (b & 0x7F) == 0x7F : b == 0xFF) {
        throw new FormatException(
            t.file(), scale.name() + "[" + i + "]", "scale is NaN", "a finite scale", b);
      }
    }
    float global = Float.NaN;
    List<StoredTensor> stored = new ArrayList<>();
    stored.add(t.stored("weight_packed"));
    stored.add(t.stored("weight_scale"));
    if (nv) {
      global = globalScale(t, "weight_global_scale");
      stored.add(t.stored("weight_global_scale"));
    }
    ActivationQuantizer activations = ActivationQuantizer.NONE;
    if (in != null) {
      activations = new Nvfp4Activations(globalScale(t, "input_global_scale"));
      stored.add(t.stored("input_global_scale"));
    }
    return layer(s, packed.data(), bytes, global, (int) rows, (int) cols, stored, activations);
  }

  /** An F32 {@code [1]} global scale, finite and positive (generate_gparam's are). */
  private static float globalScale(CtTensors t, String suffix) {
    TensorView g = t.require(suffix, DType.F32);
    if (g.numel() != 1) {
      throw new FormatException(t.file(), g.name(), "wrong shape", "[1]", g.shape());
    }
    float v = g.data().get(F32_LE, 0);
    if (!Float.isFinite(v) || v <= 0f) {
      throw new FormatException(
          t.file(), g.name(), "global scale must be finite and positive", "> 0", v);
    }
    return v;
  }

  /** Bytes with their two nibbles exchanged. */
  private static byte[] swapNibbles(MemorySegment bytes) {
    byte[] swapped = new byte[Math.toIntExact(bytes.byteSize())];
    for (int i = 0; i < swapped.length; i++) {
      int b = bytes.get(ValueLayout.JAVA_BYTE, i);
      swapped[i] = (byte) ((b & 0x0F) << 4 | (b >>> 4) & 0x0F);
    }
    return swapped;
  }

  /**
   * @param stored the module's tensors for saving; a null entry is {@code weight_packed}, made from
   *     the kernel's codes when saving
   */
  private static CtLinear layer(
      Fp4Scheme s,
      MemorySegment packed,
      MemorySegment scales,
      float global,
      int rows,
      int cols,
      List<StoredTensor> stored,
      ActivationQuantizer activations) {
    byte[] swapped = swapNibbles(packed);
    int blocks = Math.toIntExact(scales.byteSize());
    MemorySegment absmax = MemorySegment.ofArray(new byte[blocks * 4]);
    for (int i = 0; i < blocks; i++) {
      byte b = scales.get(ValueLayout.JAVA_BYTE, i);
      // NVFP4 decompress: scale.to(float) / global_scale in float32; MXFP4: 2^(e - 127) exactly
      float v =
          s == Fp4Scheme.NVFP4
              ? FloatConversions.e4m3ToFloat(b) / global
              : FloatConversions.e8m0ToFloat(b);
      absmax.setAtIndex(F32_LE, i, v);
    }
    Packed4BitMatrix m =
        new Packed4BitMatrix(
            MemorySegment.ofArray(swapped),
            absmax,
            Fp4E2m1.CODEBOOK,
            rows,
            cols,
            s.groupSize(),
            // exact: the integer path would round the E2M1 values to int8 steps
            ActivationPrecision.F32,
            activations);
    MemorySegment kernelCodes = m.codes();
    List<java.util.function.Supplier<StoredTensor>> tensors = new ArrayList<>();
    for (StoredTensor t : stored) {
      tensors.add(
          t != null
              ? () -> t
              : () ->
                  new StoredTensor(
                      "weight_packed",
                      DType.U8,
                      Shape.of(rows, cols / 2),
                      MemorySegment.ofArray(swapNibbles(kernelCodes))));
    }
    // unpack_fp4_from_uint8 decompresses to bfloat16 whatever the model's dtype
    return new CtLinear(m, ScaleDtype.BF16, label(s), tensors);
  }

  static String label(Fp4Scheme s) {
    return "ct-" + s.name().toLowerCase(java.util.Locale.ROOT) + "-group" + s.groupSize();
  }
}
