/**
 * {@code fromPretrained}: resolves configs and the quantization plan, streams shards through the
 * quantizer and builds the model. Depends on core, quantizers, kernels and the architectures.
 */
package dev.quant4j.load;
