package dev.quant4j.quantizers.bitnet;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.quantizers.common.FloatScratch;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BitNet b1.58 on the JVM. Three forms, as transformers' {@code BitLinear} and {@code
 * AutoBitLinear} define them:
 *
 * <ul>
 *   <li>{@code bitlinear} (offline): packed ternary {@code weight} with {@code weight_scale} the
 *       multiplier {@code 1 / mean|W|}: {@code W = t / weight_scale};
 *   <li>{@code autobitlinear} offline: the same packing with {@code weight_scale = mean|W|}: {@code
 *       W = t * weight_scale};
 *   <li>{@code autobitlinear} online: float weights, ternarized ({@link AbsmeanTernarizer}) as they
 *       load, exactly what {@code WeightQuant} does in every forward pass.
 * </ul>
 *
 * Every form quantizes its activations per token to int8 ({@link BitNetActivations}). A float
 * checkpoint given a bitnet config is ternarized while loading in any mode (transformers refuses
 * this, as it requires a pre-quantized checkpoint): online keeps the float weight so the saved
 * checkpoint is what transformers would save; offline saves the packed form.
 */
final class BitNetQuantizer implements Quantizer {
  private static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final BitNetConfig config;
  private final FloatScratch scratch = new FloatScratch();

  BitNetQuantizer(BitNetConfig config) {
    this.config = config;
  }

  @Override
  public QuantizationConfig config() {
    return config;
  }

  @Override
  public Capabilities capabilities() {
    // transformers flags bitnet as requiring calibration in the sense "pre-quantized only"; the
    // absmean ternarization needs no data.
    return new Capabilities(false, true, online());
  }

  private boolean online() {
    return config.quantizationMode().equals("online");
  }

  private boolean bitLinear() {
    return config.linearClass().equals("bitlinear");
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    long ternary = rows * cols / 4 + 8 * rows;
    return online() ? ternary + 2 * rows * cols : ternary;
  }

  @Override
  public QuantizedWeight quantize(TensorView weight) {
    int[] shape = checkShape(weight, weight.shape().dims());
    int rows = shape[0];
    int cols = shape[1];
    if (!weight.dtype().isFloatingPoint()) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "bitnet ternarizes floating-point weights",
          "BF16, F16 or F32",
          weight.dtype());
    }
    float[] w = scratch.copyOf(weight);
    try {
      if (config.useRmsNorm()) {
        float[] ones = new float[cols];
        Arrays.fill(ones, 1f);
        // a float checkpoint has no rms_norm weights: transformers initialises them to ones
        return ternarized(
            weight,
            w,
            rows,
            cols,
            ones,
            floatTensor("rms_norm.weight", weight.dtype(), ones, cols));
      }
      return ternarized(weight, w, rows, cols, null, null);
    } finally {
      scratch.giveBack(w);
    }
  }

  private QuantizedWeight ternarized(
      TensorView weight, float[] w, int rows, int cols, float[] norm, StoredTensor normTensor) {
    float s = AbsmeanTernarizer.multiplier(w, w.length);
    byte[] codes = BitNetPacking.kernelCodes(AbsmeanTernarizer.ternarize(w, w.length, s));
    DType dtype = weight.dtype();
    BitNetActivations acts = activations(norm);
    List<StoredTensor> rest = new ArrayList<>();
    if (online()) {
      // WeightQuant returns (t / s) cast to the weight's dtype: t times the rounded 1 / s, exactly
      float scale = roundTo(dtype, 1f / s);
      StoredTensor original =
          new StoredTensor(
              "weight",
              dtype,
              weight.shape(),
              MemorySegment.ofArray(weight.data().toArray(ValueLayout.JAVA_BYTE)).asReadOnly());
      if (normTensor != null) {
        rest.add(normTensor);
      }
      return new BitNetWeight(codes, scale, rows, cols, acts, original, rest);
    }
    float stored = roundTo(dtype, bitLinear() ? s : 1f / s);
    rest.add(floatTensor("weight_scale", dtype, new float[] {stored}, 1));
    if (normTensor != null) {
      rest.add(normTensor);
    }
    return new BitNetWeight(codes, stepOf(stored), rows, cols, acts, null, rest);
  }

  /** What one ternary step is worth given the stored {@code weight_scale}. */
  private float stepOf(float weightScale) {
    return bitLinear() ? 1f / weightScale : weightScale;
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    TensorView weight = tensors.require(prefix + ".weight");
    float[] norm = null;
    List<StoredTensor> rest = new ArrayList<>();
    if (config.useRmsNorm()) {
      TensorView n = tensors.require(prefix + ".rms_norm.weight");
      if (n.shape().rank() != 1 || !n.dtype().isFloatingPoint()) {
        throw new FormatException(
            tensors.source(),
            n.name(),
            "rms_norm weight must be a float vector",
            "[in_features]",
            n.shape());
      }
      norm = n.toFloatArray();
      rest.add(view("rms_norm.weight", n));
    }
    if (online()) {
      int[] shape = checkShape(weight, weight.shape().dims());
      if (!weight.dtype().isFloatingPoint()) {
        throw new FormatException(
            tensors.source(),
            weight.name(),
            "online bitnet checkpoints keep float weights",
            "BF16, F16 or F32",
            weight.dtype());
      }
      float[] w = weight.toFloatArray();
      float s = AbsmeanTernarizer.multiplier(w, w.length);
      byte[] codes = BitNetPacking.kernelCodes(AbsmeanTernarizer.ternarize(w, w.length, s));
      return new BitNetWeight(
          codes,
          roundTo(weight.dtype(), 1f / s),
          shape[0],
          shape[1],
          activations(norm),
          view("weight", weight),
          rest);
    }
    TensorView scaleTensor = tensors.require(prefix + ".weight_scale");
    if (scaleTensor.numel() != 1 || !scaleTensor.dtype().isFloatingPoint()) {
      throw new FormatException(
          tensors.source(),
          scaleTensor.name(),
          "weight_scale must hold one float",
          "[1] of BF16, F16 or F32",
          scaleTensor.dtype() + "" + scaleTensor.shape());
    }
    float weightScale = scaleTensor.getFloat(0);
    if (!Float.isFinite(weightScale) || weightScale == 0f) {
      throw new FormatException(
          tensors.source(),
          scaleTensor.name(),
          "weight_scale must be finite and non-zero",
          "a finite non-zero value",
          weightScale);
    }
    rest.addFirst(view("weight_scale", scaleTensor));
    long[] dims = weight.shape().dims();
    byte[] codes;
    int rows;
    int cols;
    if (weight.dtype() == DType.U8) {
      int[] packed =
          checkShape(weight, dims.length == 2 ? new long[] {dims[0] * 4, dims[1]} : dims);
      rows = packed[0];
      cols = packed[1];
      codes =
          BitNetPacking.toKernelCodes(tensors.source(), weight.name(), weight.data(), rows, cols);
    } else if (weight.dtype().isFloatingPoint() && !bitLinear()) {
      // BitNetDeserialize also accepts an already unpacked ternary weight
      int[] shape = checkShape(weight, dims);
      rows = shape[0];
      cols = shape[1];
      codes = BitNetPacking.kernelCodes(ternaryValues(tensors, weight));
    } else {
      throw new FormatException(
          tensors.source(),
          weight.name(),
          "a packed bitnet weight is uint8 [out_features / 4, in_features]",
          "U8",
          weight.dtype());
    }
    return new BitNetWeight(
        codes, stepOf(weightScale), rows, cols, activations(norm), view("weight", weight), rest);
  }

  private static byte[] ternaryValues(TensorLookup tensors, TensorView weight) {
    float[] w = weight.toFloatArray();
    byte[] t = new byte[w.length];
    for (int i = 0; i < w.length; i++) {
      if (w[i] != -1f && w[i] != 0f && w[i] != 1f) {
        throw new FormatException(
            tensors.source(),
            weight.name() + "[" + i + "]",
            "unpacked bitnet weight is not ternary",
            "-1, 0 or 1",
            w[i]);
      }
      t[i] = (byte) w[i];
    }
    return t;
  }

  private BitNetActivations activations(float[] norm) {
    return norm == null
        ? BitNetActivations.PLAIN
        : new BitNetActivations(norm, (float) config.rmsNormEps());
  }

  /**
   * {@code [out, in]} with both multiples of 4 (the packing and the kernels' 2-bit rows need it).
   */
  private static int[] checkShape(TensorView t, long[] dims) {
    if (dims.length != 2
        || dims[0] <= 0
        || dims[1] <= 0
        || dims[0] % 4 != 0
        || dims[1] % 4 != 0
        || dims[0] * dims[1] > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          t.source(),
          t.name(),
          "bitnet needs a 2-D weight whose dimensions are multiples of 4",
          "[4k, 4m] below 2^31 elements",
          Arrays.toString(dims));
    }
    return new int[] {(int) dims[0], (int) dims[1]};
  }

  private static StoredTensor view(String suffix, TensorView t) {
    return new StoredTensor(suffix, t.dtype(), t.shape(), t.data());
  }

  /** {@code v} rounded to {@code dtype} as torch's {@code .to(dtype)} does. */
  static float roundTo(DType dtype, float v) {
    return switch (dtype) {
      case BF16 -> FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(v));
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
      default -> v;
    };
  }

  /** A 1-D tensor of {@code values} in {@code dtype} (BF16, F16, or else F32). */
  static StoredTensor floatTensor(String suffix, DType dtype, float[] values, int n) {
    DType d = dtype == DType.BF16 || dtype == DType.F16 ? dtype : DType.F32;
    MemorySegment seg = MemorySegment.ofArray(new byte[n * (d == DType.F32 ? 4 : 2)]);
    for (int i = 0; i < n; i++) {
      switch (d) {
        case BF16 -> seg.setAtIndex(I16_LE, i, FloatConversions.floatToBf16(values[i]));
        case F16 -> seg.setAtIndex(I16_LE, i, Float.floatToFloat16(values[i]));
        default -> seg.setAtIndex(BitNetWeight.F32_LE, i, values[i]);
      }
    }
    return new StoredTensor(suffix, d, Shape.of(n), seg.asReadOnly());
  }
}
