/**
 * FP8 weights: FBGEMM row-wise ({@code quant_method: fbgemm_fp8}) and fine-grained block-wise
 * ({@code quant_method: fp8}, DeepSeek-V3 / Qwen3 FP8): typed configs and providers, quantization
 * on load bit-exact with the references, reading and writing their checkpoint tensors, and the
 * dynamic activation quantizations the kernels apply. Weights run on the kernels' {@code
 * Fp8Matrix}. Depends on {@code dev.quant4j.quantization}, {@code .tensor}, {@code .dtype}, {@code
 * .error}, {@code dev.quant4j.kernels} and Jackson's tree model.
 */
package dev.quant4j.quantizers.fp8;
