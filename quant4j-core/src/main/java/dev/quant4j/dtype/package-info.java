/**
 * Element types of checkpoints (every safetensors dtype) and exact conversions between them and
 * float. Depends on the JDK only.
 */
package dev.quant4j.dtype;
