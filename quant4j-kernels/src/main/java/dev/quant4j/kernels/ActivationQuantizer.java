package dev.quant4j.kernels;

/**
 * How a layer's input activations are quantized before they meet its weights, emulated in float:
 * each token row is quantized and dequantized ("fake-quantized") so the products are those the
 * method's integer or fp8 kernels compute, up to float summation order. Methods with dynamic
 * activation quantization (BitNet's per-token int8, FBGEMM FP8's per-token e4m3, fine-grained FP8's
 * 1x128 groups) or static activation quantization (optimum-quanto, which also quantizes each
 * layer's output: {@link #applyToOutput}) supply one; weight-only layouts use {@link #NONE}.
 *
 * <p>An open interface rather than a closed set: the exact rounding and clamping rules belong to
 * each method's package, and the kernels only need to call them. Implementations must be stateless
 * and thread-safe: every kernel thread applies them to the full input of a matmul.
 */
@FunctionalInterface
public interface ActivationQuantizer {
  /** Activations pass unchanged. */
  ActivationQuantizer NONE =
      (src, srcOff, tokens, cols, dst) -> {
        System.arraycopy(src, srcOff, dst, 0, tokens * cols);
      };

  /**
   * Writes the fake-quantized {@code tokens x cols} activations {@code src[srcOff..)} into {@code
   * dst[0, tokens * cols)}.
   */
  void apply(float[] src, int srcOff, int tokens, int cols, float[] dst);

  /**
   * Fake-quantizes, in place, {@code n} consecutive values {@code out[off..)} of the layer's
   * output, after its bias: the static output quantization of methods that hand quantized tensors
   * from layer to layer (optimum-quanto's {@code output_scale}). The model calls it on each token
   * row of a projection's result; it must be elementwise. By default the output passes unchanged.
   */
  default void applyToOutput(float[] out, int off, int n) {}
}
