/**
 * compressed-tensors ({@code quant_method: compressed-tensors}): the typed config with its schemes
 * and quantization arguments, validated as the library does, and its provider. Depends on {@code
 * dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.compressed;
