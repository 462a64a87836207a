/**
 * The safetensors format: a strict, memory-mapped reader that validates every header before
 * anything sized by it is allocated, sharded checkpoints with their index, and an atomic writer.
 * Depends on {@code tensor}, {@code dtype}, {@code json}, {@code error}.
 */
package dev.quant4j.safetensors;
