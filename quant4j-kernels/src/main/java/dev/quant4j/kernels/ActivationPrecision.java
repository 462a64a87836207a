package dev.quant4j.kernels;

/**
 * How the input activations of an {@link Int8RowMatrix} or {@link Packed4BitMatrix} meet its codes.
 * A property of the layout, not of the backend, so the scalar reference and the Panama kernels
 * compute the same thing and a model's results do not depend on which backend runs it.
 */
public enum ActivationPrecision {
  /** Activations stay float32; each weight is decoded to float and multiplied in float. */
  F32,
  /**
   * Activations are quantized per token in chunks of {@link Int8Activations#CHUNK} (absmax / 127,
   * round half to even, see {@link Int8Activations#quantize}) and meet integer weight codes in
   * exact integer dot products, one float scale per chunk, as llama.cpp does for Q8_0 and Q4_0.
   * 4-bit codebooks are rounded to int8 steps of {@code max|codebook| / 127} ({@link
   * Codebook#int8Codes()}). Results differ from {@link #F32} by the activation and codebook
   * rounding; the perplexity effect is stated where a layout picks its default.
   */
  INT8
}
