/**
 * The Llama family (Llama, Mistral, Qwen2, Qwen3) as configuration variants of one forward pass
 * with a KV cache. Depends on kernels and core.
 */
package dev.quant4j.arch.llama;
