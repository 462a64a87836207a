/**
 * The Vector API (Panama) backend: the same contracts as the scalar reference, vectorized at a
 * width given as a parameter (128, 256 or 512 bits), never a class per instruction set. Depends on
 * {@code dev.quant4j.kernels}, {@code jdk.incubator.vector} and the JDK only; loaded only when the
 * selector has checked the vector module is readable.
 */
package dev.quant4j.kernels.panama;
