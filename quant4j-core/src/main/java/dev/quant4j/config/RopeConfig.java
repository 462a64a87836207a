package dev.quant4j.config;

import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import java.util.OptionalDouble;

/**
 * Rotary position embedding parameters, normalised from both spellings transformers has used:
 * {@code rope_parameters: {rope_theta, rope_type, factor, ...}} (5.x) and a top-level {@code
 * rope_theta} beside {@code rope_scaling: {type|rope_type, factor, ...}} (4.x). Both forms of the
 * same model give equal records.
 *
 * <p>{@link #inverseFrequencies(int)} and {@link #attentionScaling()} compute what transformers'
 * {@code ROPE_INIT_FUNCTIONS} compute, in float32 where it does (see {@link RopeMath}).
 *
 * @param theta the base wavelength ({@code rope_theta}, 10000 when absent)
 * @param partialRotaryFactor the fraction of each head that is rotated (1 for the Llama family)
 * @param maxPositionEmbeddings the model's {@code max_position_embeddings}, which dynamic NTK
 *     scaling measures the sequence against
 * @param scaling the rope variant and its parameters
 */
public record RopeConfig(
    double theta, double partialRotaryFactor, int maxPositionEmbeddings, Scaling scaling) {

  public RopeConfig {
    java.util.Objects.requireNonNull(scaling, "scaling");
  }

  /** The rope variant; its name is transformers' {@code rope_type}. */
  public sealed interface Scaling {
    /** transformers' {@code rope_type}. */
    String name();
  }

  /** Plain RoPE. */
  public record Default() implements Scaling {
    @Override
    public String name() {
      return "default";
    }
  }

  /** Position interpolation: every frequency divided by {@code factor}. */
  public record Linear(double factor) implements Scaling {
    @Override
    public String name() {
      return "linear";
    }
  }

  /** Dynamic NTK: the base grows with the longest sequence seen beyond max_position_embeddings. */
  public record Dynamic(double factor) implements Scaling {
    @Override
    public String name() {
      return "dynamic";
    }
  }

  /** Llama 3.1: low frequencies divided by factor, high ones kept, a smooth ramp between. */
  public record Llama3(
      double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings)
      implements Scaling {
    @Override
    public String name() {
      return "llama3";
    }
  }

  /**
   * YaRN. {@code attentionFactor}, {@code mscale} and {@code mscaleAllDim} stay empty when absent
   * because transformers derives the attention factor differently depending on which are given.
   */
  public record Yarn(
      double factor,
      int originalMaxPositionEmbeddings,
      double betaFast,
      double betaSlow,
      OptionalDouble attentionFactor,
      OptionalDouble mscale,
      OptionalDouble mscaleAllDim,
      boolean truncate)
      implements Scaling {
    @Override
    public String name() {
      return "yarn";
    }
  }

  /** The rope variant ({@code rope_type}): default, linear, dynamic, llama3 or yarn. */
  public String type() {
    return scaling.name();
  }

  /** Plain RoPE with the given base, as for a config without any rope keys but rope_theta. */
  public static RopeConfig defaults(double theta, int maxPositionEmbeddings) {
    return new RopeConfig(theta, 1.0, maxPositionEmbeddings, new Default());
  }

  /** The number of rotated dimensions of a head: transformers' {@code int(head_dim * prf)}. */
  public int rotaryDim(int headDim) {
    return (int) (headDim * partialRotaryFactor);
  }

  /**
   * The inverse frequencies for the model as loaded (for dynamic NTK: before any sequence exceeds
   * max_position_embeddings), {@code rotaryDim(headDim) / 2} values.
   */
  public float[] inverseFrequencies(int headDim) {
    return inverseFrequencies(headDim, maxPositionEmbeddings);
  }

  /**
   * The inverse frequencies once sequences of up to {@code seqLen} positions have been seen. Only
   * dynamic NTK depends on it: transformers recomputes the frequencies when a forward pass reaches
   * beyond the longest length cached so far, so pass the maximum seen, not the current length.
   */
  public float[] inverseFrequencies(int headDim, int seqLen) {
    int dim = rotaryDim(headDim);
    if (headDim <= 0 || dim < 2) {
      throw new ConfigException(
          null, "head_dim", "too small for rotary embeddings", "at least 2 rotated dims", dim);
    }
    return switch (scaling) {
      case Default d -> RopeMath.defaultInvFreq(theta, dim);
      case Linear l -> RopeMath.linear(theta, dim, l.factor());
      case Dynamic dy ->
          RopeMath.dynamicNtk(theta, dim, dy.factor(), maxPositionEmbeddings, seqLen);
      case Llama3 l3 -> RopeMath.llama3(theta, dim, l3);
      case Yarn y -> RopeMath.yarn(theta, dim, y);
    };
  }

  /** The factor transformers multiplies cos and sin by (1 except for YaRN). */
  public float attentionScaling() {
    return scaling instanceof Yarn y ? (float) RopeMath.yarnAttentionFactor(y) : 1.0f;
  }

  /** Thrown for rope types transformers knows but quant4j does not implement. */
  static NotSupportedException unsupported(java.nio.file.Path file, String key, String type) {
    return new NotSupportedException(
        file,
        key
            + ": rope type '"
            + type
            + "' (quant4j supports default, linear, dynamic, llama3, yarn)");
  }
}
