package dev.quant4j.kernels;

/**
 * A row-major weight matrix {@code W[rows = outFeatures][cols = inFeatures]} in one of the packed
 * layouts the kernels multiply directly. Kernels are chosen by layout, never by instruction set:
 * each backend handles every permitted layout.
 */
public sealed interface WeightMatrix permits DenseMatrix, Int8RowMatrix, Packed4BitMatrix {
  /** Output features. */
  int rows();

  /** Input features. */
  int cols();
}
