/**
 * EETQ ({@code quant_method: eetq}): the typed {@code EetqConfig} and its provider. Depends on
 * {@code dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.eetq;
