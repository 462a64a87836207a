/**
 * The Vector API (Panama) backend: the same contracts as the scalar reference, vectorized at 128,
 * 256 or 512 bits. The kernels are written once, as static methods over a {@code Lanes}; each width
 * is a {@code Lanes} subclass holding its species in {@code static final} fields, so that C2 sees
 * constant species and intrinsifies every Vector API call (see {@code Lanes}). Depends on {@code
 * dev.quant4j.kernels}, {@code jdk.incubator.vector} and the JDK only; loaded only when the
 * selector has checked the vector module is readable.
 */
package dev.quant4j.kernels.panama;
