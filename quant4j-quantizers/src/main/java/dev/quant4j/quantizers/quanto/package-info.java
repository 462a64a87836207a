/**
 * optimum-quanto ({@code quant_method: quanto}): the typed {@code QuantoConfig} and its provider.
 * Depends on {@code dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.quanto;
