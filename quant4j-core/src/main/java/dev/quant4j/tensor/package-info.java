/**
 * Tensors as typed, shaped, zero-copy views over memory segments (memory maps or off-heap buffers).
 * Depends on {@code dtype} and {@code error}.
 *
 * <p>A view never owns its memory: the file or arena that made it decides how long it lives. Bulk
 * copies to float are the fast path; a mapped file that shrinks under a view surfaces as a {@link
 * dev.quant4j.error.CheckpointIoException} naming the file, never a JVM crash.
 */
package dev.quant4j.tensor;
