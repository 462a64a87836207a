package dev.quant4j.quantizers.eetq;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.quantizers.common.FloatScratch;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * EETQ int8 weight-only: quantizes as EETQ's C++ does, stores and reads its preprocessed sm75..sm89
 * weight order ({@link EetqLayout}) and {@code weight_scales}, and multiplies with the int8 row
 * kernels. EETQ only quantizes float16 or float32 weights (it rejects bfloat16), so a bfloat16
 * checkpoint is quantized as transformers does it when loaded with {@code dtype=torch.float16}: the
 * weights rounded to float16 first.
 */
final class EetqQuantizer implements Quantizer {
  private final EetqConfig config;
  private final FloatScratch scratch = new FloatScratch();

  EetqQuantizer(EetqConfig config) {
    this.config = config;
  }

  @Override
  public QuantizationConfig config() {
    return config;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true, true);
  }

  @Override
  public String settleComputeDtype(String requested) {
    return "float32";
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    return rows * cols + 2 * rows;
  }

  private static int[] shape(TensorView t, boolean stored) {
    long[] d = t.shape().dims();
    boolean ok = d.length == 2 && d[0] > 0 && d[1] > 0 && d[0] * d[1] <= Integer.MAX_VALUE - 8;
    if (!ok) {
      throw new FormatException(
          t.source(),
          t.name(),
          "EETQ weights are 2-D",
          stored ? "[in, out]" : "[out, in]",
          Arrays.toString(d));
    }
    // rows = out features, cols = in features
    return stored ? new int[] {(int) d[1], (int) d[0]} : new int[] {(int) d[0], (int) d[1]};
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    int[] s = shape(weight, false);
    int rows = s[0];
    int cols = s[1];
    if (!EetqLayout.fits(rows, cols)) {
      throw new NotSupportedException(
          weight.source(),
          "EETQ for "
              + weight.name()
              + " of "
              + rows
              + "x"
              + cols
              + " (EETQ needs both dimensions multiples of 64)");
    }
    if (weight.dtype() != DType.BF16
        && weight.dtype() != DType.F16
        && weight.dtype() != DType.F32) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "EETQ quantizes floating-point weights",
          "BF16, F16 or F32",
          weight.dtype());
    }
    // One pass over a reused buffer both checks the values and rounds bfloat16 to float16.
    float[] values = scratch.copyOf(weight);
    try {
      boolean toHalf = weight.dtype() == DType.BF16;
      for (int i = 0; i < values.length; i++) {
        float v = values[i];
        if (!Float.isFinite(v)) {
          throw new FormatException(
              weight.source(),
              weight.name(),
              "non-finite weight at element " + i,
              "a finite value",
              v);
        }
        if (toHalf) {
          float h = Float.float16ToFloat(Float.floatToFloat16(v));
          if (Float.isInfinite(h)) {
            throw new FormatException(
                weight.source(),
                weight.name() + "[" + i / cols + ", " + i % cols + "]",
                "weight is not finite in float16",
                "|w| <= 65504",
                v);
          }
          values[i] = h;
        }
      }
      EetqQuantization.Result q = EetqQuantization.quantize(values, rows, cols);
      // Only the kernel codes are kept: the stored order is derived from them when saving.
      return new EetqWeight(q.codes(), q.scales(), rows, cols);
    } finally {
      scratch.giveBack(values);
    }
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    TensorView weight = tensors.require(weightName);
    if (weight.dtype() != DType.I8) {
      throw new FormatException(
          tensors.source(), weightName, "an EETQ weight is stored as int8", "I8", weight.dtype());
    }
    int[] s = shape(weight, true);
    int rows = s[0];
    int cols = s[1];
    if (!EetqLayout.fits(rows, cols)) {
      throw new FormatException(
          tensors.source(),
          weightName,
          "EETQ weights have both dimensions multiples of 64",
          "[64 k, 64 n]",
          "[" + cols + ", " + rows + "]");
    }
    TensorView scaleTensor = tensors.require(prefix + ".weight_scales");
    if (!Arrays.equals(scaleTensor.shape().dims(), new long[] {rows})) {
      throw new FormatException(
          tensors.source(),
          scaleTensor.name(),
          "one scale per output channel",
          "[" + rows + "]",
          Arrays.toString(scaleTensor.shape().dims()));
    }
    if (!scaleTensor.dtype().isFloatingPoint() || scaleTensor.dtype().bits() > 32) {
      throw new FormatException(
          tensors.source(),
          scaleTensor.name(),
          "EETQ scales are floating point",
          "F16 (or F32, BF16)",
          scaleTensor.dtype());
    }
    short[] scales = new short[rows];
    for (int r = 0; r < rows; r++) {
      // EetqLinear declares float16 scales; transformers casts other float dtypes to it.
      float v = scaleTensor.getFloat(r);
      if (!Float.isFinite(v)
          || v < 0f
          || Float.isInfinite(Float.float16ToFloat(Float.floatToFloat16(v)))) {
        throw new FormatException(
            tensors.source(),
            scaleTensor.name(),
            "scale " + r + " is not a finite non-negative float16",
            "0 <= s <= 65504",
            v);
      }
      scales[r] = Float.floatToFloat16(v);
    }
    byte[] stored = weight.data().toArray(ValueLayout.JAVA_BYTE);
    byte[] codes = EetqLayout.unpack(stored, rows, cols);
    // pack(unpack(b)) == b (the layout is a permutation plus a bias), so saving needs no copy.
    return new EetqWeight(codes, scales, rows, cols);
  }
}
