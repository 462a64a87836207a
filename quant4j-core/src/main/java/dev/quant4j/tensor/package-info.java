/**
 * Tensors as typed, shaped, zero-copy views over memory segments (memory maps or off-heap buffers).
 * Depends on {@code dtype} and {@code error}.
 */
package dev.quant4j.tensor;
