package dev.quant4j.quantizers.compressed;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code input_activations} of a scheme as the layer's {@link ActivationQuantizer}: dynamic
 * per-token or per-group quantization ({@link DynamicActivations}), or static per-tensor
 * quantization with the checkpoint's {@code input_scale} (and {@code input_zero_point}).
 */
final class InputActivations {
  private InputActivations() {}

  /** Fails with "not supported yet" for input activations quant4j cannot apply. */
  static void check(Path file, QuantizationArgs in, String where) {
    if (in == null) {
      return;
    }
    boolean isFloat = in.type().equals("float");
    if (isFloat ? in.numBits() != 8 || !in.symmetric() : in.numBits() > 8) {
      throw new NotSupportedException(
          file,
          "compressed-tensors input activations "
              + (isFloat ? "float" : "int")
              + in.numBits()
              + (in.symmetric() ? "" : " asymmetric")
              + " ("
              + where
              + ")");
    }
    boolean ok =
        switch (in.dynamic()) {
          case TRUE -> in.strategy().equals("token") || in.strategy().equals("group");
          case FALSE -> in.strategy().equals("tensor");
          case LOCAL -> false;
        };
    if (!ok) {
      throw new NotSupportedException(
          file,
          "compressed-tensors input activations with strategy "
              + in.strategy()
              + " and dynamic "
              + in.dynamic().name().toLowerCase(java.util.Locale.ROOT)
              + " ("
              + where
              + ")");
    }
  }

  /** The tensors a checkpoint module holds for these activations. */
  static Set<String> suffixes(QuantizationArgs in) {
    return in != null && in.dynamic() == QuantizationArgs.Dynamic.FALSE
        ? Set.of("input_scale", "input_zero_point")
        : Set.of();
  }

  /** For quantizing while loading: static activations would need calibration data. */
  static ActivationQuantizer forQuantizing(Path file, QuantizationArgs in, String weight) {
    if (in == null) {
      return ActivationQuantizer.NONE;
    }
    if (in.dynamic() == QuantizationArgs.Dynamic.FALSE) {
      throw new NotSupportedException(
          file,
          "static compressed-tensors input activations for "
              + weight
              + " (their scale needs calibration data; quantize them dynamically)");
    }
    return dynamic(in);
  }

  /** For a checkpoint module, static scales read from its tensors. */
  static ActivationQuantizer forCheckpoint(CtTensors t, QuantizationArgs in) {
    if (in == null) {
      return ActivationQuantizer.NONE;
    }
    if (in.dynamic() != QuantizationArgs.Dynamic.FALSE) {
      return dynamic(in);
    }
    TensorView s = t.require("input_scale", DType.BF16, DType.F16, DType.F32);
    if (s.numel() != 1) {
      throw new FormatException(
          t.file(), s.name(), "per-tensor scale must have one element", 1, s.shape());
    }
    float scale = t.scales(s)[0];
    if (!(scale > 0)) {
      throw new FormatException(t.file(), s.name(), "scale must be positive", "> 0", scale);
    }
    int zp = 0;
    if (!in.symmetric()) {
      TensorView z = t.require("input_zero_point", DType.I8, DType.I32);
      if (z.numel() != 1) {
        throw new FormatException(
            t.file(), z.name(), "per-tensor zero point must have one element", 1, z.shape());
      }
      zp = (int) t.integers(z)[0];
    }
    return new Static(in.type().equals("float"), in.numBits(), scale, zp);
  }

  private static ActivationQuantizer dynamic(QuantizationArgs in) {
    int group = in.strategy().equals("group") ? in.groupSize() : 0;
    return new DynamicActivations(in.type().equals("float"), in.numBits(), in.symmetric(), group);
  }

  /** Static per-tensor fake quantization: {@code (q(x / scale + zp) - zp) * scale}. */
  record Static(boolean isFloat, int bits, float scale, int zp) implements ActivationQuantizer {
    @Override
    public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
      float qmin = isFloat ? -MinMaxQuantization.FP8_MAX : -(1 << (bits - 1));
      float qmax = isFloat ? MinMaxQuantization.FP8_MAX : (1 << (bits - 1)) - 1;
      for (int i = 0; i < tokens * cols; i++) {
        float t = Math.clamp(src[srcOff + i] / scale + zp, qmin, qmax);
        float q = isFloat ? E4m3Grid.round(t) : (float) Math.rint(t);
        dst[i] = (q - zp) * scale;
      }
    }
  }
}
