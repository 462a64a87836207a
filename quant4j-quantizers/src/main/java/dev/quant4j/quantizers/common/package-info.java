/**
 * Helpers shared by several quantization methods: bit packing, group-wise affine math, the exact
 * Python-compatible formatting some formats embed in their tensors, and the float working copies
 * reused from weight to weight while quantizing ({@link
 * dev.quant4j.quantizers.common.FloatScratch}). Depends on the JDK and quant4j-core only.
 */
package dev.quant4j.quantizers.common;
