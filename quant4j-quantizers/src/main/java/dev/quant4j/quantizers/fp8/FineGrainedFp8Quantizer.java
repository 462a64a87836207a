package dev.quant4j.quantizers.fp8;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.ActivationQuantizer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fine-grained FP8 ({@code quant_method: fp8}, DeepSeek-V3 / Qwen3 FP8): e4m3 weights with one
 * {@code weight_scale_inv} multiplier per {@code weight_block_size} tile (a ceil-div grid, partial
 * tiles at the edges), activations quantized per token and tile width at run time. Quantizes as
 * transformers' {@code Fp8Quantize} does; like it, leaves a weight that is not a whole number of
 * tiles in full precision (and, unlike it, saves no meaningless scale beside it).
 */
final class FineGrainedFp8Quantizer implements Quantizer {
  static final String SCALE = "weight_scale_inv";

  private final FineGrainedFp8Config config;
  private final FloatScratch scratch = new FloatScratch();

  FineGrainedFp8Quantizer(FineGrainedFp8Config config) {
    if (config.modulesToConvert() != null && !config.modulesToConvert().isEmpty()) {
      // FP8Embedding tables (e4m3 weight + per-tensor weight_scale) would otherwise be read as
      // plain embeddings without their scale.
      throw new NotSupportedException(
          "fine-grained FP8 embeddings (modules_to_convert " + config.modulesToConvert() + ")");
    }
    this.config = config;
  }

  @Override
  public QuantizationConfig config() {
    return config;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true, false);
  }

  @Override
  public String settleComputeDtype(String requested) {
    return "float32";
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    if (config.dequantize()) {
      return rows * cols * 4;
    }
    List<Integer> b = config.weightBlockSize();
    long blocks = b == null ? 1 : Math.ceilDiv(rows, b.get(0)) * Math.ceilDiv(cols, b.get(1));
    return rows * cols + 4 * blocks;
  }

  private boolean ue8m0() {
    return config.scaleFmt().equals("ue8m0");
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    if (config.activationScheme().equals("static")) {
      throw new NotSupportedException(
          weight.source(),
          "quantizing on load with activation_scheme 'static' (it needs calibrated activation"
              + " scales); use 'dynamic'");
    }
    int[] shape = Fp8Tensors.matrixShape(weight, "fine-grained FP8");
    int rows = shape[0];
    int cols = shape[1];
    List<Integer> b = config.weightBlockSize();
    int br = b == null ? rows : b.get(0);
    int bc = b == null ? cols : b.get(1);
    if (rows % br != 0 || cols % bc != 0 || config.dequantize()) {
      return UnconvertedWeight.of(weight, true);
    }
    float[] values = Fp8Tensors.finiteFloats(weight, "fine-grained FP8", scratch);
    Fp8Quantization.Blocks q;
    try {
      q = Fp8Quantization.blockwise(values, rows, cols, br, bc, ue8m0());
    } finally {
      scratch.giveBack(values);
    }
    long[] gridShape = {rows / br, cols / bc};
    StoredTensor scale;
    if (ue8m0()) {
      byte[] e8m0 = new byte[q.multipliers().length];
      for (int i = 0; i < e8m0.length; i++) {
        e8m0[i] = Fp8Quantization.e8m0Of(q.multipliers()[i]);
      }
      scale =
          new StoredTensor(SCALE, DType.F8_E8M0, Shape.of(gridShape), MemorySegment.ofArray(e8m0));
    } else {
      scale =
          new StoredTensor(
              SCALE, DType.F32, Shape.of(gridShape), Fp8Weight.floats(q.multipliers()));
    }
    return new Fp8Weight(
        MemorySegment.ofArray(q.codes()),
        q.multipliers(),
        rows,
        cols,
        br,
        bc,
        activations(bc, Optional.empty()),
        List.of(scale),
        "fp8-e4m3 " + br + "x" + bc);
  }

  private ActivationQuantizer activations(int blockCols, Optional<Float> staticScale) {
    return staticScale.isPresent()
        ? new Fp8Activations.PerTensor(staticScale.get())
        : new Fp8Activations.PerGroup(blockCols, ue8m0());
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    TensorView weight = tensors.require(weightName);
    Optional<TensorView> scaleTensor =
        tensors.find(prefix + "." + SCALE).or(() -> tensors.find(prefix + ".scale"));
    if (scaleTensor.isEmpty() && weight.dtype() != DType.F8_E4M3) {
      // A layer left in full precision (not a whole number of tiles), as quant4j saves it.
      Fp8Tensors.matrixShape(weight, "fine-grained FP8");
      return UnconvertedWeight.of(weight, false);
    }
    if (scaleTensor.isEmpty()) {
      throw new FormatException(
          tensors.source(), prefix + "." + SCALE, "missing: an FP8 weight needs its block scales");
    }
    int[] shape = Fp8Tensors.matrixShape(weight, "fine-grained FP8");
    int rows = shape[0];
    int cols = shape[1];
    MemorySegment codes = Fp8Tensors.e4m3Codes(weight);
    List<Integer> b = config.weightBlockSize();
    int br = b == null ? rows : b.get(0);
    int bc = b == null ? cols : b.get(1);
    TensorView s = scaleTensor.get();
    long[] grid = b == null ? null : new long[] {Math.ceilDiv(rows, br), Math.ceilDiv(cols, bc)};
    float[] multipliers = Fp8Tensors.scales(s, grid);
    List<StoredTensor> stored = new ArrayList<>();
    stored.add(new StoredTensor(SCALE, s.dtype(), s.shape(), s.data()));
    Optional<Float> staticScale = Optional.empty();
    if (config.activationScheme().equals("static")) {
      TensorView a =
          tensors
              .find(prefix + ".activation_scale")
              .orElseThrow(
                  () ->
                      new FormatException(
                          tensors.source(),
                          prefix + ".activation_scale",
                          "missing: activation_scheme 'static' needs a calibrated activation"
                              + " scale"));
      float value = Fp8Tensors.scales(a, null)[0];
      if (!(value > 0f)) {
        throw new FormatException(
            tensors.source(), a.name(), "activation scale must be positive", "> 0", value);
      }
      staticScale = Optional.of(value);
      stored.add(new StoredTensor("activation_scale", a.dtype(), a.shape(), a.data()));
    }
    Fp8Weight w =
        new Fp8Weight(
            codes,
            multipliers,
            rows,
            cols,
            br,
            bc,
            activations(bc, staticScale),
            stored,
            "fp8-e4m3 " + br + "x" + bc);
    return config.dequantize() ? UnconvertedWeight.ofFloats(w.dequantize(), rows, cols) : w;
  }
}
