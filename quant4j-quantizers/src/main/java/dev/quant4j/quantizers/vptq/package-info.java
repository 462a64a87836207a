/**
 * VPTQ ({@code quant_method: vptq}): the typed {@code VptqConfig} with its per-layer configs, and
 * its provider. Depends on {@code dev.quant4j.quantization}, {@code dev.quant4j.error} and
 * Jackson's tree model.
 */
package dev.quant4j.quantizers.vptq;
