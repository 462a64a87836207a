/**
 * AQLM ({@code quant_method: aqlm}): the typed {@code AqlmConfig} and its provider. Depends on
 * {@code dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.aqlm;
