/**
 * The scalar reference backend: plain loops, always available, the ground truth the vectorized
 * backend is tested against. Depends on {@code dev.quant4j.kernels} and the JDK only.
 */
package dev.quant4j.kernels.scalar;
