/**
 * TorchAO ({@code quant_method: torchao}): the typed {@code TorchAoConfig}, whose {@code
 * quant_type} is a legacy name or a serialized torchao config object, its provider, and its
 * quantizer for int4 weight-only (plain {@code Int4Tensor}), int8 weight-only and int8 dynamic
 * activation ({@code Int8Tensor}): torchao's quantization, its flattened safetensors form, repacked
 * into the kernels' grouped-int layout. Depends on {@code dev.quant4j.quantization}, {@code
 * .tensor}, {@code .dtype}, {@code .error}, {@code dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.torchao;
