/**
 * JSON input with limits: every JSON file quant4j reads (configs, indexes, tokenizers, safetensors
 * headers) goes through {@link dev.quant4j.json.BoundedJson}, which caps size, nesting depth,
 * string and number lengths, rejects duplicate keys and Python's NaN/Infinity, and reports the file
 * and line. Depends on Jackson and {@code dev.quant4j.error}.
 */
package dev.quant4j.json;
