/**
 * compressed-tensors ({@code quant_method: compressed-tensors}, llm-compressor checkpoints): the
 * typed config with its schemes and quantization arguments, validated as the library does, and the
 * method itself: target/ignore matching ({@link dev.quant4j.quantizers.compressed.ModuleSchemes}),
 * min/max round-to-nearest quantization bit-exact with the library ({@link
 * dev.quant4j.quantizers.compressed.MinMaxQuantization}, {@link
 * dev.quant4j.quantizers.compressed.Fp4Quantization}), the pack-quantized,
 * naive/int/float-quantized, nvfp4-pack-quantized and mxfp4-pack-quantized tensor formats, dynamic
 * and static input activation quantization (NVFP4's fp4 ones included), and the repacking into the
 * kernels' grouped-int, FP8 and 4-bit codebook layouts. Depends on {@code
 * dev.quant4j.quantization}, {@code .tensor}, {@code .dtype}, {@code .error}, {@code
 * dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.compressed;
