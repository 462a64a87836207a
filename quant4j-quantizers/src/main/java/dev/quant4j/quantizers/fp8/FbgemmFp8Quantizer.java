package dev.quant4j.quantizers.fp8;

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
import java.util.List;

/**
 * FBGEMM FP8 ({@code quant_method: fbgemm_fp8}): e4m3 weights with one float32 {@code weight_scale}
 * per output row ({@code [out, 1]}, as {@code FbgemmFp8Linear} declares it), and activations
 * quantized per token at run time with their scale bounded by {@code activation_scale_ub}.
 * Quantizes as FBGEMM's {@code quantize_fp8_per_row} does, on the weight rounded to bfloat16 first
 * (transformers forces the model dtype to bfloat16 for this method).
 */
final class FbgemmFp8Quantizer implements Quantizer {
  static final String SCALE = "weight_scale";

  private final FbgemmFp8Config config;
  private final FloatScratch scratch = new FloatScratch();

  FbgemmFp8Quantizer(FbgemmFp8Config config) {
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
    return rows * cols + 4 * rows;
  }

  private Fp8Activations.PerToken activations() {
    return new Fp8Activations.PerToken((float) config.activationScaleUb());
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    int[] shape = Fp8Tensors.matrixShape(weight, "FBGEMM FP8");
    int rows = shape[0];
    int cols = shape[1];
    float[] values = Fp8Tensors.finiteFloats(weight, "FBGEMM FP8", scratch);
    Fp8Quantization.Blocks q;
    try {
      if (weight.dtype() != DType.BF16) {
        for (int i = 0; i < values.length; i++) {
          values[i] = FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(values[i]));
        }
      }
      q = Fp8Quantization.rowwise(values, rows, cols);
    } finally {
      scratch.giveBack(values);
    }
    StoredTensor scale =
        new StoredTensor(SCALE, DType.F32, Shape.of(rows, 1), Fp8Weight.floats(q.multipliers()));
    return new Fp8Weight(
        MemorySegment.ofArray(q.codes()),
        q.multipliers(),
        rows,
        cols,
        1,
        cols,
        activations(),
        List.of(scale),
        "fp8-e4m3 per-row");
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    TensorView weight = tensors.require(weightName);
    int[] shape = Fp8Tensors.matrixShape(weight, "FBGEMM FP8");
    MemorySegment codes = Fp8Tensors.e4m3Codes(weight);
    TensorView s =
        tensors
            .find(prefix + "." + SCALE)
            .orElseThrow(
                () ->
                    new FormatException(
                        tensors.source(),
                        prefix + "." + SCALE,
                        "missing: an FBGEMM FP8 weight needs its row scales"));
    float[] scales = Fp8Tensors.scales(s, new long[] {shape[0], 1});
    return new Fp8Weight(
        codes,
        scales,
        shape[0],
        shape[1],
        1,
        shape[1],
        activations(),
        List.of(new StoredTensor(SCALE, s.dtype(), s.shape(), s.data())),
        "fp8-e4m3 per-row");
  }
}
