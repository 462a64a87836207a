/**
 * AWQ ({@code quant_method: awq}): the typed {@code AwqConfig} and its provider. Depends on {@code
 * dev.quant4j.quantization}, {@code dev.quant4j.error}, {@code dev.quant4j.quantizers.gptq} (the
 * inherited calibration keys) and Jackson's tree model.
 */
package dev.quant4j.quantizers.awq;
