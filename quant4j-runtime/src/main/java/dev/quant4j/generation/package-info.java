/**
 * Text generation: greedy and sampled decoding, logits processors, stopping criteria, streaming.
 * Depends on the model interface and the tokenizer.
 */
package dev.quant4j.generation;
