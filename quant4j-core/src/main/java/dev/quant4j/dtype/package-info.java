/**
 * Element types of checkpoints (every safetensors dtype) and exact conversions between them and
 * float. Depends on the JDK only.
 *
 * <p>Choices made where the format leaves room: F4 (E2M1) packs two elements per byte, the first in
 * the low nibble (PyTorch's {@code float4_e2m1fn_x2}); float to E4M3 follows PyTorch's cast
 * (overflow becomes NaN) with a saturating variant for quantizers; F6 codes decode exactly, but the
 * packing of 6-bit elements in a file is not fixed by the format, so tensors of F6 (and of C64,
 * which is not one float per element) are described and copied, not read as floats.
 */
package dev.quant4j.dtype;
