/**
 * The quantization methods, one sub-package each ({@code bnb}, {@code gptq}, {@code awq}, …), and
 * what spans them: the named {@link dev.quant4j.quantizers.Presets} and {@link
 * dev.quant4j.quantizers.QuantizationSpecs}, which turns a CLI spec into a config. Depends on
 * quant4j-core ({@code quantization}, {@code json}, {@code error}) and the method packages.
 */
package dev.quant4j.quantizers;
