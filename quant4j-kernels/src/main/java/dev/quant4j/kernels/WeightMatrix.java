package dev.quant4j.kernels;

/**
 * A row-major weight matrix {@code W[rows = outFeatures][cols = inFeatures]} in one of the packed
 * layouts the kernels multiply directly. Kernels are chosen by layout, never by instruction set:
 * each backend handles every permitted layout.
 */
public sealed interface WeightMatrix
    permits DenseMatrix, Int8RowMatrix, Packed4BitMatrix, GroupedIntMatrix, Fp8Matrix {
  /** Output features. */
  int rows();

  /** Input features. */
  int cols();

  /** Bytes the layout occupies: codes plus scales (and zeros). */
  long storageBytes();

  /**
   * What the layer does to its input before the product; {@link ActivationQuantizer#NONE} for
   * weight-only quantization.
   */
  default ActivationQuantizer activations() {
    return ActivationQuantizer.NONE;
  }
}
