package dev.quant4j.quantizers.quanto;

import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.kernels.ActivationQuantizer;

/**
 * quanto's static per-tensor activation quantization of a {@code QLinear} with activations: its
 * forward pre-hook quantizes the input with {@code input_scale}, its forward hook the output (after
 * the bias) with {@code output_scale} ({@code quantize_activation} → {@code quantize_symmetric},
 * axis None), and the next op dequantizes ({@code _data.to(scale.dtype) * _scale}). Fake-quantized
 * in float, each op rounded as torch rounds it:
 *
 * <ul>
 *   <li>{@code x} as quanto holds it, in the activation (model) dtype: quant4j computes in float32,
 *       so {@code x} is rounded to that dtype first (quanto's QLinear outputs are bf16 in a bf16
 *       model, and where a quotient lands between integers depends on that rounding);
 *   <li>{@code q = x / scale}, rounded to the activation dtype;
 *   <li>int8: {@code clamp(round_half_even(q), -128, 127)}; float8 e4m3fn: {@code e4m3(clamp(q,
 *       -448, 448))} (round to nearest even, no integer rounding);
 *   <li>{@code code * scale}, rounded to the scale's dtype.
 * </ul>
 *
 * A NaN quotient becomes int8 code 0, as torch's cast does on x86, and a negative quotient that
 * rounds to 0 gives +0. For an input equal to quanto's (in its dtype) the result is quanto's bit
 * for bit; the float32 values around it (quant4j's sums, norms) differ from quanto's bf16 ones by
 * their rounding only.
 *
 * @param fp8 float8 e4m3fn rather than int8
 * @param dtype the activation (model) dtype the quotient is rounded to
 * @param input the input scale
 * @param output the output scale
 */
record QuantoActivationQuantizer(boolean fp8, WeightDtype dtype, Scale input, Scale output)
    implements ActivationQuantizer {

  /**
   * A module's {@code input_scale} or {@code output_scale}.
   *
   * @param value positive and finite
   * @param dtype the dtype it is stored in, which the dequantized product is rounded to
   */
  record Scale(float value, WeightDtype dtype) {
    Scale {
      if (!(value > 0f) || !Float.isFinite(value)) {
        throw new IllegalArgumentException(
            "activation scale must be positive and finite: " + value);
      }
    }
  }

  /** The {@code activations} qtype of a quanto module: qint8 or qfloat8_e4m3fn. */
  static boolean isFp8(QuantoQtype activations) {
    return switch (activations) {
      case QINT8 -> false;
      case QFLOAT8 -> true;
      case QINT4, QINT2 ->
          throw new IllegalArgumentException("quanto activations are 8-bit: " + activations);
    };
  }

  @Override
  public void apply(float[] src, int srcOff, int tokens, int cols, float[] dst) {
    int n = tokens * cols;
    for (int i = 0; i < n; i++) {
      dst[i] = fakeQuantize(src[srcOff + i], input);
    }
  }

  @Override
  public void applyToOutput(float[] out, int off, int n) {
    for (int i = off; i < off + n; i++) {
      out[i] = fakeQuantize(out[i], output);
    }
  }

  float fakeQuantize(float x, Scale scale) {
    float q = dtype.round(dtype.round(x) / scale.value());
    float code;
    if (fp8) {
      byte b = FloatConversions.floatToE4M3Saturating(Math.clamp(q, -448f, 448f));
      code = FloatConversions.e4m3ToFloat(b);
    } else {
      // Through an int, as torch's int8 cast: -0.3 rounds to code 0, which dequantizes to +0.
      code = Float.isNaN(q) ? 0f : (int) Math.clamp(Math.rint(q), -128.0, 127.0);
    }
    return scale.dtype().round(code * scale.value());
  }
}
