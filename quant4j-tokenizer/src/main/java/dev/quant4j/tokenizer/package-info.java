/**
 * Tokenizers read from {@code tokenizer.json}: byte-level BPE, SentencePiece-style BPE with byte
 * fallback, added and special tokens, post-processors, decoding. Depends on {@code
 * dev.quant4j.json} and {@code dev.quant4j.error} from core.
 */
package dev.quant4j.tokenizer;
