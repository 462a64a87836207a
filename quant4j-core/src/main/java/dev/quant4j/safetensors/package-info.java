/**
 * The safetensors format: a strict, memory-mapped reader that validates every header before
 * anything sized by it is allocated, sharded checkpoints with their index, and an atomic writer.
 * Depends on {@code tensor}, {@code dtype}, {@code json}, {@code error}.
 *
 * <p>Entry points: {@link dev.quant4j.safetensors.Checkpoint} (a model folder, index or file),
 * {@link dev.quant4j.safetensors.SafetensorsFile} (one mapped file), {@link
 * dev.quant4j.safetensors.SafetensorsHeader#read} (validation without mapping), {@link
 * dev.quant4j.safetensors.SafetensorsWriter} (atomic single and sharded saves). The checks follow
 * the reference implementation in its order and are stricter in one place: a tensor name that
 * appears twice (also through JSON escapes) is an error. Pickle files are never opened.
 */
package dev.quant4j.safetensors;
