package dev.quant4j.quantization;

import dev.quant4j.tensor.TensorView;
import java.util.List;
import java.util.Set;

/**
 * One quantization method applied to one model load: transformers' {@code HfQuantizer} lifecycle as
 * a typed interface. The loader calls, in order: {@link #validateEnvironment}, {@link
 * #settleComputeDtype}, {@link #adjustMaxMemory}, {@link #weightsToConvert} (the model skeleton is
 * prepared from it), then per weight as its shard is read {@link #quantize} (float checkpoints) or
 * {@link #loadPrequantized} (checkpoints already in the method's format), and {@link #postProcess}.
 * A quantizer instance serves one load; it may keep per-load state.
 */
public interface Quantizer {
  /** The validated config this quantizer applies. */
  QuantizationConfig config();

  /** What the method needs: calibration data, whether its results can be saved or trained. */
  Capabilities capabilities();

  /**
   * Checks that this JVM and machine can run the method (transformers' {@code
   * validate_environment}); throws a {@link dev.quant4j.error.NotSupportedException} saying what is
   * missing.
   */
  default void validateEnvironment(Environment environment) {}

  /**
   * The dtype activations are computed in, given what the user asked for (null when nothing);
   * transformers' {@code update_dtype}. quant4j computes in float32 and reports this choice.
   */
  default String settleComputeDtype(String requested) {
    return requested == null ? "float32" : requested;
  }

  /** Bytes a {@code rows x cols} weight will take once converted, for the memory budget. */
  default long estimateStorageBytes(long rows, long cols) {
    return rows * cols * 2;
  }

  /** The share of a memory budget left for weights (transformers keeps 10 % for buffers). */
  default long adjustMaxMemory(long budgetBytes) {
    return budgetBytes * 9 / 10;
  }

  /**
   * Which linear weights to convert (transformers' {@code _process_model_before_weight_loading}):
   * by default every candidate whose module is not excluded by the config's modules-to-not-convert
   * list, or, when the config names none, every candidate but the output head.
   *
   * @param linearWeights the model's linear layer weights, e.g. {@code
   *     model.layers.0.mlp.down_proj.weight}
   * @param outputHeadWeight the output head's weight ({@code lm_head.weight})
   */
  default Set<String> weightsToConvert(List<String> linearWeights, String outputHeadWeight) {
    return ModuleFilter.defaultSelection(
        config().modulesToNotConvert(), linearWeights, outputHeadWeight);
  }

  /**
   * Quantizes one full-precision weight as it is read ({@code create_quantized_param}). The view is
   * only valid during the call: the result must own its data. The loader calls this from several
   * threads at once for the weights of one shard, so implementations must be thread-safe.
   *
   * @throws dev.quant4j.error.FormatException naming the tensor when it holds NaN or Inf, or has a
   *     shape the method cannot take
   */
  QuantizedWeight quantize(TensorView weight);

  /**
   * Assembles a weight from a checkpoint already quantized with this method; {@code tensors} gives
   * the checkpoint's tensors by name and records which were used, so the loader can report unused
   * ones as unexpected.
   */
  QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors);

  /** Called once every weight is in place ({@code _process_model_after_weight_loading}). */
  default void postProcess() {}

  /** What a method needs and allows. */
  record Capabilities(boolean requiresCalibration, boolean isSerializable, boolean isTrainable) {}

  /**
   * What the running machine offers.
   *
   * @param vectorApi whether the Vector API kernels are in use
   * @param cores available processors
   * @param maxMemoryBytes the budget for weights, or -1 when unbounded
   */
  record Environment(boolean vectorApi, int cores, long maxMemoryBytes) {}
}
