/**
 * The quantization framework: the {@code quantization_config} base types, the {@code Quantizer} SPI
 * with its lifecycle, and the registry that finds providers by {@code quant_method} through {@code
 * ServiceLoader}. Depends on {@code tensor}, {@code config}, {@code json}, {@code error}.
 */
package dev.quant4j.quantization;
