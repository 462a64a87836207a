/**
 * The quantization framework: the {@code quantization_config} base types ({@link
 * dev.quant4j.quantization.QuantizationConfig}), the provider SPI ({@link
 * dev.quant4j.quantization.QuantizationMethod}) and the registry that finds providers by {@code
 * quant_method} through {@code ServiceLoader} ({@link
 * dev.quant4j.quantization.QuantizationMethods}), with the small readers and writers every config
 * shares ({@link dev.quant4j.quantization.ConfigReader}, {@link
 * dev.quant4j.quantization.ConfigDict}, {@link dev.quant4j.quantization.ConfigChecks}). Depends on
 * {@code tensor}, {@code config}, {@code json}, {@code error}.
 */
package dev.quant4j.quantization;
