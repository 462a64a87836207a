/**
 * HQQ ({@code quant_method: hqq}): the typed {@code HqqConfig} in hqq's own {@code quant_config}
 * shape, and its provider. Depends on {@code dev.quant4j.quantization}, {@code dev.quant4j.error}
 * and Jackson's tree model.
 */
package dev.quant4j.quantizers.hqq;
