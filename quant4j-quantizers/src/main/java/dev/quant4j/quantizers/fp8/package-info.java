/**
 * FP8 weights: FBGEMM row-wise ({@code quant_method: fbgemm_fp8}) and fine-grained block-wise
 * ({@code quant_method: fp8}): their typed configs and providers. Depends on {@code
 * dev.quant4j.quantization}, {@code dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.fp8;
