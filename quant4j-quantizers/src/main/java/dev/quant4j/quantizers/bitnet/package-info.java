/**
 * BitNet b1.58 ({@code quant_method: bitnet}): the typed {@code BitNetConfig} and its provider.
 * Depends on {@code dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.bitnet;
