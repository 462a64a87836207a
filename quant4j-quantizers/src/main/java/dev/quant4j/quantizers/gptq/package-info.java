/**
 * GPTQ ({@code quant_method: gptq}): the typed {@code GPTQConfig}, with the calibration arguments
 * AWQ shares, and its provider. Depends on {@code dev.quant4j.quantization}, {@code
 * dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.gptq;
