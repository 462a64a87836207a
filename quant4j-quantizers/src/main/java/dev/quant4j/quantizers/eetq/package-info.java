/**
 * EETQ ({@code quant_method: eetq}): the typed {@code EetqConfig} and its provider, int8
 * per-channel quantization on load as EETQ's C++ does it, and its CUTLASS-preprocessed weight order
 * (sm75..sm89) read and written; weights run on the kernels' {@code Int8RowMatrix}. Depends on
 * {@code dev.quant4j.quantization}, {@code .tensor}, {@code .dtype}, {@code .error}, {@code
 * dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.eetq;
