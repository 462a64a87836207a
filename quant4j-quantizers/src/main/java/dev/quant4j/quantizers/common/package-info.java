/**
 * Helpers shared by several quantization methods: bit packing, group-wise affine math and the exact
 * Python-compatible formatting some formats embed in their tensors. Depends on the JDK and
 * quant4j-core only.
 */
package dev.quant4j.quantizers.common;
