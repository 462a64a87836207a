package dev.quant4j.arch.llama;

import dev.quant4j.kernels.WeightMatrix;

/**
 * The parameters of one decoder layer. Optional parts are null when the configuration has none:
 * q/k/v biases (Qwen2), the o_proj bias, q/k norms (Qwen3), MLP biases.
 */
record LlamaLayer(
    float[] inputNorm,
    WeightMatrix qProj,
    WeightMatrix kProj,
    WeightMatrix vProj,
    WeightMatrix oProj,
    float[] qBias,
    float[] kBias,
    float[] vBias,
    float[] oBias,
    float[] qNorm,
    float[] kNorm,
    float[] postAttentionNorm,
    WeightMatrix gateProj,
    WeightMatrix upProj,
    WeightMatrix downProj,
    float[] gateBias,
    float[] upBias,
    float[] downBias) {}
