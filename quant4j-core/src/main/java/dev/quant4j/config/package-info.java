/**
 * Model-side configuration files: config.json of the Llama family, generation_config.json,
 * tokenizer_config.json, validated and cross-checked before anything is allocated. Depends on
 * {@code json} and {@code error}.
 *
 * <ul>
 *   <li>{@link dev.quant4j.config.ModelConfig}: config.json (llama, mistral, qwen2, qwen3), sizes
 *       within sanity bounds and consistent, token ids inside the vocabulary, no remote code; its
 *       {@code expectedTensorShapes()} lists every tensor's logical shape for the loader. Unknown
 *       keys are kept and written back; {@code quantization_config} stays a raw JSON object for the
 *       quantization package.
 *   <li>{@link dev.quant4j.config.RopeConfig}: both rope spellings (transformers 5 {@code
 *       rope_parameters}, 4.x {@code rope_theta} + {@code rope_scaling}) and the frequencies of
 *       transformers' {@code ROPE_INIT_FUNCTIONS}, in float32 as PyTorch computes them.
 *   <li>{@link dev.quant4j.config.GenerationConfig} and {@link dev.quant4j.config.TokenizerConfig}.
 * </ul>
 *
 * <p>Every failure is a {@link dev.quant4j.error.ConfigException} naming file and key with the
 * expected and actual values, or a {@link dev.quant4j.error.NotSupportedException} for an
 * architecture, activation or rope type quant4j does not run.
 */
package dev.quant4j.config;
