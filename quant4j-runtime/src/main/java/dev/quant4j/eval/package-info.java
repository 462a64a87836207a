/**
 * Evaluation: perplexity by the protocol of CLI.md, and reports. Depends on the model interface and
 * the tokenizer.
 */
package dev.quant4j.eval;
