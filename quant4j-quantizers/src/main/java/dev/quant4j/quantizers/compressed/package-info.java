/**
 * compressed-tensors ({@code quant_method: compressed-tensors}, llm-compressor checkpoints): the
 * typed config with its schemes and quantization arguments, validated as the library does, and the
 * method itself: target/ignore matching ({@link dev.quant4j.quantizers.compressed.ModuleSchemes}),
 * min/max round-to-nearest quantization bit-exact with the library ({@link
 * dev.quant4j.quantizers.compressed.MinMaxQuantization}), the pack-quantized and
 * naive/int/float-quantized tensor formats, dynamic and static input activation quantization, and
 * the repacking into the kernels' grouped-int and FP8 layouts. Depends on {@code
 * dev.quant4j.quantization}, {@code .tensor}, {@code .dtype}, {@code .error}, {@code
 * dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.compressed;
