/**
 * TorchAO ({@code quant_method: torchao}): the typed {@code TorchAoConfig}, whose {@code
 * quant_type} is a legacy name or a serialized torchao config object, and its provider. Depends on
 * {@code dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.torchao;
