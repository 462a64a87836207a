/**
 * Model-side configuration files: config.json of the Llama family, generation_config.json,
 * tokenizer_config.json, validated and cross-checked before anything is allocated. Depends on
 * {@code json} and {@code error}.
 */
package dev.quant4j.config;
