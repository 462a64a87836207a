/**
 * The arithmetic of inference: dot products, gemv/gemm on float and packed quantized layouts,
 * rmsnorm, rope, softmax, silu. A {@code KernelBackend} interface with a scalar reference
 * implementation and a Panama Vector API one, chosen once at start-up. Depends on the JDK only.
 */
package dev.quant4j.kernels;
