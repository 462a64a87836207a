/**
 * BitNet b1.58 ({@code quant_method: bitnet}): the typed {@code BitNetConfig}, its provider, and
 * its quantizer: absmean ternarization of float weights, transformers' packed ternary checkpoint
 * format (read and written), repacked into the kernels' 2-bit grouped layout, and per-token int8
 * activations. Depends on {@code dev.quant4j.quantization}, {@code .tensor}, {@code .dtype}, {@code
 * .error}, {@code dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.bitnet;
