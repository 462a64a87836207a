package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import java.nio.file.Path;

/**
 * Round-to-nearest FP4 quantization as llm-compressor's min/max observer and compressed-tensors'
 * {@code calculate_qparams} / {@code _quantize} do it, bit-exact: every intermediate is rounded to
 * the dtype torch computes it in ({@link ScaleDtype}, the weight's own, or float32 where a float32
 * global scale takes part).
 *
 * <p>NVFP4 ({@code tensor_group}, groups of 16): {@code generate_gparam} gives the global scale
 * {@code g = dt(dt(1 / max(amax(W), FLT_MIN)) * 2688)} (a Python scalar over a tensor of the
 * weight's dtype is torch's {@code reciprocal() * scalar}, not a division), each group's scale is
 * {@code e4m3(g * dt(amax_group / 6))} (0 becomes the e4m3 eps 0.125), and {@code q = fp4(clamp(x /
 * (scale / g), ±6))} in float32.
 *
 * <p>MXFP4 ({@code group}, 32, scale_dtype uint8): {@code generate_mx_scales} rounds each group's
 * amax to a power of two ({@link #roundToPowerOf2}), takes {@code 127 + floor(log2(p)) - 2} clamped
 * to a byte as the E8M0 exponent, the scale is {@code 2^(byte - 127)} in the weight's dtype and
 * {@code q = fp4(clamp(dt(x / scale), ±6))}.
 */
final class Fp4Quantization {
  private Fp4Quantization() {}

  /**
   * One quantized weight: {@code packed} in compressed-tensors' order (even column in the low
   * nibble), {@code scales} the stored scale bytes (e4m3 or E8M0) row-major over the groups, and
   * the NVFP4 global scale (NaN for MXFP4).
   */
  record Result(byte[] packed, byte[] scales, float globalScale) {}

  static Result quantize(
      Fp4Scheme s, float[] w, int rows, int cols, ScaleDtype dt, Path file, String name) {
    int gs = s.groupSize();
    if (cols % gs != 0) {
      // compressed-tensors refuses too ("tensor column shape must be divisible by group_size").
      throw new FormatException(
          file,
          name,
          "in_features must be a multiple of the " + s.name() + " group size",
          "a multiple of " + gs,
          cols);
    }
    int n = rows * cols;
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(w[i])) {
        throw new FormatException(
            file, name + "[" + i + "]", "weight is not finite", "finite", w[i]);
      }
    }
    byte[] packed = new byte[n / 2];
    byte[] scales = new byte[n / gs];
    float global = Float.NaN;
    if (s == Fp4Scheme.NVFP4) {
      global = nvfp4(w, n, dt, packed, scales, file, name);
    } else {
      mxfp4(w, n, dt, packed, scales, file, name);
    }
    return new Result(packed, scales, global);
  }

  private static float nvfp4(
      float[] w, int n, ScaleDtype dt, byte[] packed, byte[] scales, Path file, String name) {
    float amax = 0f;
    for (int i = 0; i < n; i++) {
      amax = Math.max(amax, Math.abs(w[i]));
    }
    // torch.clamp(min=finfo(float32).tiny) on a tensor of the weight's dtype
    amax = Math.max(amax, dt.round(Float.MIN_NORMAL));
    // 448 * 6 / tensor is Tensor.__rtruediv__: reciprocal() * 2688, each rounded to the dtype
    float global = dt.round(dt.round(1f / amax) * (448f * 6f));
    if (!Float.isFinite(global) || global == 0f) {
      throw new NotSupportedException(
          file,
          "an NVFP4 global scale of "
              + global
              + " for "
              + name
              + " (448 * 6 / "
              + amax
              + " overflows "
              + dt.dtype()
              + ")");
    }
    byte eps = FloatConversions.floatToE4M3(0.125f);
    for (int g = 0; g < scales.length; g++) {
      int from = g * 16;
      float local = dt.round(groupAmax(w, from, 16) / 6f);
      float scaled = Math.clamp(global * local, -448f, 448f);
      byte code = FloatConversions.floatToE4M3(scaled);
      float scale = FloatConversions.e4m3ToFloat(code);
      if (scale == 0f) {
        code = eps;
        scale = 0.125f;
      }
      scales[g] = code;
      float divisor = scale / global;
      for (int i = from; i < from + 16; i += 2) {
        int lo = Fp4E2m1.code(clamp(w[i] / divisor));
        int hi = Fp4E2m1.code(clamp(w[i + 1] / divisor));
        packed[i >> 1] = (byte) (lo | hi << 4);
      }
    }
    return global;
  }

  private static void mxfp4(
      float[] w, int n, ScaleDtype dt, byte[] packed, byte[] scales, Path file, String name) {
    for (int g = 0; g < scales.length; g++) {
      int from = g * 32;
      float p2 = roundToPowerOf2(groupAmax(w, from, 32), dt);
      // 127 + floor(log2(p2)) - 2 in the weight's dtype: integers it holds exactly, or -inf
      double exponent =
          p2 == 0f
              ? Double.NEGATIVE_INFINITY
              : Float.isInfinite(p2) ? Double.POSITIVE_INFINITY : Math.getExponent(p2);
      int b = (int) Math.max(0, Math.min(255, 127 + exponent - 2));
      float scale = dt.round(Math.scalb(1f, b - 127));
      if (scale == 0f) {
        scale = 1f; // calculate_qparams' eps for an integer scale_dtype (uint8)
      }
      if (b == 255 || Float.isInfinite(scale)) {
        throw new NotSupportedException(
            file, "an MXFP4 scale of 2^128 (E8M0 NaN) for " + name + " group " + g);
      }
      // compress_mx_scale: 127 + floor(log2(scale)); exact for the power of two scale is
      scales[g] = (byte) (127 + Math.getExponent(scale));
      for (int i = from; i < from + 32; i += 2) {
        int lo = Fp4E2m1.code(clamp(dt.round(w[i] / scale)));
        int hi = Fp4E2m1.code(clamp(dt.round(w[i + 1] / scale)));
        packed[i >> 1] = (byte) (lo | hi << 4);
      }
    }
  }

  private static float groupAmax(float[] w, int from, int size) {
    float a = 0f;
    for (int i = from; i < from + size; i++) {
      a = Math.max(a, Math.abs(w[i]));
    }
    return a;
  }

  private static float clamp(float t) {
    return Math.clamp(t, -Fp4E2m1.MAX, Fp4E2m1.MAX);
  }

  /**
   * {@code round_to_power_2} on a non-negative value of {@code dt}: adds {@code 1 << (mantissa -
   * 2)} to its bits and keeps sign and exponent only, so mantissas from 0.75 up round to the next
   * power of two (possibly infinity), subnormals to 0.
   */
  static float roundToPowerOf2(float v, ScaleDtype dt) {
    return switch (dt) {
      case F32 -> Float.intBitsToFloat((Float.floatToRawIntBits(v) + 0x200000) & 0xFF800000);
      case BF16 ->
          FloatConversions.bf16ToFloat(
              (short) (((FloatConversions.floatToBf16(v) & 0xFFFF) + 0x20) & 0xFF80));
      case F16 ->
          Float.float16ToFloat((short) (((Float.floatToFloat16(v) & 0xFFFF) + 0x100) & 0xFC00));
    };
  }
}
