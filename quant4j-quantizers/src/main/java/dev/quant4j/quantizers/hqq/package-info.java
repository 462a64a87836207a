/**
 * HQQ ({@code quant_method: hqq}): the typed {@code HqqConfig} in hqq's own {@code quant_config}
 * shape; the quantizer (hqq's {@code Quantizer.quantize} with the legacy half-quadratic proximal
 * solver, reproduced bit for bit as hqq runs it on a CPU, including ATen's summation order); hqq's
 * bit packing and encoded {@code HQQLinear} state dict; and the repack into the kernels' {@code
 * GroupedIntMatrix}. Depends on {@code dev.quant4j.quantization}, {@code .tensor}, {@code .dtype},
 * {@code .error}, {@code dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.hqq;
