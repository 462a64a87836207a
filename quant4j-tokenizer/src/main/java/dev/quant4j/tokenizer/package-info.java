/**
 * Tokenizers read from Hugging Face's {@code tokenizer.json}, giving the ids and text of the {@code
 * tokenizers} library: byte-level BPE (GPT-2, Llama 3, Qwen) and SentencePiece-style BPE with byte
 * fallback (Llama 2, Mistral), added and special tokens, post-processors and decoders.
 *
 * <p>The public API is {@link dev.quant4j.tokenizer.Tokenizer} and {@link
 * dev.quant4j.tokenizer.StreamingDecoder}; everything else is package-private. Encoding follows the
 * library's pipeline, one type per stage: {@code AddedTokenMatcher} (raw text, then normalized
 * text) → {@code Normalizer} → {@code PreTokenizer} → {@code Bpe} → {@code PostProcessor}; decoding
 * runs the {@code Decoder} chain. Each stage is a sealed interface of records, one per JSON {@code
 * type}; a type that is not implemented is a {@code NotSupportedException}, never a guess.
 *
 * <p>Regexes come from the file: {@code BoundedRegex} runs them on java.util.regex with a budget of
 * character reads per call, so a pattern that backtracks catastrophically fails with a typed error
 * instead of hanging. No mutable static state: each tokenizer owns its word cache.
 *
 * <p>Depends on {@code dev.quant4j.json} and {@code dev.quant4j.error} from core, and Jackson's
 * streaming parser for the vocabulary and merges.
 */
package dev.quant4j.tokenizer;
