package dev.quant4j.config;

/**
 * The float32 arithmetic of transformers' {@code ROPE_INIT_FUNCTIONS} (modeling_rope_utils.py,
 * 5.17), operation by operation, so that a model's frequencies match PyTorch's within an ulp or
 * two. The orders matter: torch evaluates {@code scalar / tensor} as {@code reciprocal(tensor) *
 * scalar}, casts Python floats to float32 before combining them with a float32 tensor, and does the
 * scalar bookkeeping (the NTK base, the YaRN correction range) in double.
 */
final class RopeMath {
  private RopeMath() {}

  /** {@code 1 / base ** (arange(0, dim, 2).float() / dim)}, with base rounded to float32. */
  static float[] defaultInvFreq(double base, int dim) {
    float b = (float) base;
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0f / pow(b, (float) (2 * i) / (float) dim);
    }
    return inv;
  }

  static float[] linear(double base, int dim, double factor) {
    float[] inv = defaultInvFreq(base, dim);
    float f = (float) factor;
    for (int i = 0; i < inv.length; i++) {
      inv[i] /= f;
    }
    return inv;
  }

  /** Dynamic NTK: the base is raised as if the context were stretched to {@code seqLen}. */
  static float[] dynamicNtk(
      double base, int dim, double factor, int maxPositionEmbeddings, int seqLen) {
    int len = Math.max(seqLen, maxPositionEmbeddings);
    double scaled =
        base
            * Math.pow(
                (factor * len / maxPositionEmbeddings) - (factor - 1), (double) dim / (dim - 2));
    return defaultInvFreq(scaled, dim);
  }

  static float[] llama3(double base, int dim, RopeConfig.Llama3 p) {
    float[] inv = defaultInvFreq(base, dim);
    double oldContextLen = p.originalMaxPositionEmbeddings();
    // torch compares a float32 tensor with a Python float after casting the scalar to float32.
    float lowFreqWavelen = (float) (oldContextLen / p.lowFreqFactor());
    float highFreqWavelen = (float) (oldContextLen / p.highFreqFactor());
    float twoPi = (float) (2 * Math.PI);
    float factor = (float) p.factor();
    float oldLen = (float) oldContextLen;
    float low = (float) p.lowFreqFactor();
    float span = (float) (p.highFreqFactor() - p.lowFreqFactor());
    for (int i = 0; i < inv.length; i++) {
      float wavelen = (1.0f / inv[i]) * twoPi;
      float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
      boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (medium) {
        float smooth = ((1.0f / wavelen) * oldLen - low) / span;
        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
      }
      inv[i] = scaled;
    }
    return inv;
  }

  static float[] yarn(double base, int dim, RopeConfig.Yarn p) {
    float b = (float) base;
    float factor = (float) p.factor();
    double low = correctionDim(p.betaFast(), dim, base, p.originalMaxPositionEmbeddings());
    double high = correctionDim(p.betaSlow(), dim, base, p.originalMaxPositionEmbeddings());
    if (p.truncate()) {
      low = Math.floor(low);
      high = Math.ceil(high);
    }
    low = Math.max(low, 0);
    high = Math.min(high, dim - 1);
    if (low == high) {
      high += 0.001; // transformers' guard against a zero-width ramp
    }
    float rampMin = (float) low;
    float rampWidth = (float) (high - low);
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float posFreq = pow(b, (float) (2 * i) / (float) dim);
      float extrapolation = 1.0f / posFreq;
      float interpolation = 1.0f / (factor * posFreq);
      float ramp = Math.clamp(((float) i - rampMin) / rampWidth, 0.0f, 1.0f);
      float extrapolationFactor = 1 - ramp;
      inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
    }
    return inv;
  }

  /** The attention factor YaRN multiplies cos/sin by, computed in double as transformers does. */
  static double yarnAttentionFactor(RopeConfig.Yarn p) {
    if (p.attentionFactor().isPresent()) {
      return p.attentionFactor().getAsDouble();
    }
    double mscale = p.mscale().orElse(0);
    double mscaleAllDim = p.mscaleAllDim().orElse(0);
    // Python truthiness: a zero mscale counts as absent.
    if (mscale != 0 && mscaleAllDim != 0) {
      return yarnMscale(p.factor(), mscale) / yarnMscale(p.factor(), mscaleAllDim);
    }
    return yarnMscale(p.factor(), 1);
  }

  private static double yarnMscale(double scale, double mscale) {
    return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
  }

  /**
   * The dimension at which a wavelength makes {@code rotations} turns over the original context.
   */
  private static double correctionDim(double rotations, int dim, double base, int maxPositions) {
    return (dim * Math.log(maxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
  }

  /**
   * float32 pow: the exact double result rounded once, which is within the 1 ulp of PyTorch's
   * vectorised powf.
   */
  private static float pow(float base, float exponent) {
    return (float) Math.pow(base, exponent);
  }
}
