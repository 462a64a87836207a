/**
 * bitsandbytes: LLM.int8() and the 4-bit NF4/FP4 formats with double quantization, bit-exact with
 * bitsandbytes 0.50's CPU path. Code tables ({@link dev.quant4j.quantizers.bnb.BnbCodebooks}),
 * quantizers ({@link dev.quant4j.quantizers.bnb.Bnb4bitQuantizer}, {@link
 * dev.quant4j.quantizers.bnb.BnbInt8Quantizer}), scalar reference dequantization and int8 matmul,
 * and the checkpoint tensors ({@link dev.quant4j.quantizers.bnb.Bnb4bitFormat}, {@link
 * dev.quant4j.quantizers.bnb.BnbInt8Format}). Depends on quant4j-core ({@code dtype}, {@code json},
 * {@code error}, {@code quantization}) and {@code quantizers.common}.
 */
package dev.quant4j.quantizers.bnb;
