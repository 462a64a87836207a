package dev.quant4j.quantization;

import dev.quant4j.kernels.WeightMatrix;
import java.util.List;

/**
 * A linear layer's weight in a method's quantized form: the layout the kernels multiply, and the
 * tensors that store it in the method's checkpoint format so saving reproduces them exactly.
 */
public interface QuantizedWeight {
  /**
   * The layout the kernels compute with (repacked on load where the method's byte order differs).
   */
  WeightMatrix matrix();

  /** Short name of the format, e.g. {@code nf4}, {@code fp4}, {@code int8}. */
  String format();

  /** Bytes this weight occupies for inference. */
  long storageBytes();

  /**
   * The tensors that represent this weight in the method's checkpoint format, named relative to the
   * module ({@code weight}, {@code weight.absmax}, {@code SCB}...), in the order the method writes
   * them.
   */
  List<StoredTensor> checkpointTensors();

  /**
   * For methods that store a weight as a flattened tensor subclass (torchao): the JSON string the
   * safetensors metadata holds under the weight's full name; empty for plain tensors.
   */
  default java.util.Optional<String> checkpointMetadata() {
    return java.util.Optional.empty();
  }

  /** The weight dequantized to float32, row-major {@code [rows][cols]}. */
  float[] dequantize();

  /**
   * This weight seen as {@code [rows, cols]}, the shape the model expects: for formats whose
   * checkpoints do not record it (optimum-quanto stores grouped int4/int2 weights as {@code
   * [groups, groupSize]}). The default returns this weight unchanged; a result whose shape still
   * differs is reported by the caller as a mismatch.
   */
  default QuantizedWeight withShape(int rows, int cols) {
    return this;
  }
}
