package dev.quant4j.quantizers.fp8;

/**
 * The two FP8 weight quantizations, float32 step for float32 step as the references compute them,
 * so the codes and scales are bit-identical to theirs.
 */
final class Fp8Quantization {
  /** Largest finite e4m3 value ({@code torch.finfo(torch.float8_e4m3fn).max}). */
  static final float E4M3_MAX = 448f;

  /**
   * FBGEMM's floor on a row scale, {@code 1 / (448 * 512)}: keeps an all-zero row from dividing by
   * zero.
   */
  static final float MIN_ROW_SCALE = 1f / (E4M3_MAX * 512f);

  private Fp8Quantization() {}

  /** Codes and per-block float32 multipliers. */
  record Blocks(byte[] codes, float[] multipliers) {}

  /**
   * Fine-grained FP8 ({@code Fp8Quantize._quantize_one} of transformers): per {@code br x bc} tile
   * {@code sc = amax > 0 ? f32(f32(1 / amax) * 448) : 1}, the stored multiplier is {@code f32(1 /
   * sc)} (not bit-equal to {@code amax / 448}), and each value becomes {@code e4m3(clamp(x * sc,
   * -448, 448))}. With {@code ue8m0} the multiplier is first rounded up to a power of two and
   * {@code sc} is its exact reciprocal. The caller has checked that the tiles divide the matrix.
   */
  static Blocks blockwise(float[] w, int rows, int cols, int br, int bc, boolean ue8m0) {
    int gridRows = rows / br;
    int gridCols = cols / bc;
    byte[] codes = new byte[rows * cols];
    float[] inv = new float[gridRows * gridCols];
    for (int gr = 0; gr < gridRows; gr++) {
      for (int gc = 0; gc < gridCols; gc++) {
        float amax = 0f;
        for (int r = gr * br; r < (gr + 1) * br; r++) {
          for (int c = gc * bc; c < (gc + 1) * bc; c++) {
            amax = Math.max(amax, Math.abs(w[r * cols + c]));
          }
        }
        // torch evaluates the scalar-by-tensor 448 / amax as reciprocal(amax) * 448: two roundings.
        float sc = amax > 0f ? (1f / amax) * E4M3_MAX : 1f;
        float s = 1f / sc;
        if (ue8m0) {
          s = powerOfTwoAtLeast(s);
          sc = 1f / s;
        }
        inv[gr * gridCols + gc] = s;
        for (int r = gr * br; r < (gr + 1) * br; r++) {
          for (int c = gc * bc; c < (gc + 1) * bc; c++) {
            float x = Math.clamp(w[r * cols + c] * sc, -E4M3_MAX, E4M3_MAX);
            codes[r * cols + c] = E4m3Encoder.saturating(x);
          }
        }
      }
    }
    return new Blocks(codes, inv);
  }

  /**
   * {@code 2^ceil(log2(max(s, FLT_MIN)))} as torch evaluates it in float32: the logarithm is
   * rounded to float before the ceiling, so a value a hair above a power of two whose float log2
   * rounds down to the integer stays at that power, as in torch.
   */
  static float powerOfTwoAtLeast(float s) {
    float v = Math.max(s, Float.MIN_NORMAL);
    int e = Math.getExponent(v);
    float mantissa = Math.scalb(v, -e);
    float log2 = (float) (e + Math.log(mantissa) / Math.log(2.0));
    return Math.scalb(1f, (int) Math.ceil(log2));
  }

  /** The E8M0 byte of a power of two in the normal float range. */
  static byte e8m0Of(float powerOfTwo) {
    return (byte) (Math.getExponent(powerOfTwo) + 127);
  }

  /**
   * FBGEMM's {@code quantize_fp8_per_row} (the same for weights and, with an upper bound, for
   * activations): {@code s = max(min(amax, ub) / 448, 1 / (448 * 512))}, {@code q =
   * e4m3_satfinite(x / s)} (a division, not a multiply by the reciprocal). Writes row {@code row}'s
   * codes into {@code codes} and returns its scale.
   *
   * @param ub the bound on {@code amax}, or infinity for none
   */
  static float row(float[] x, int offset, int cols, float ub, byte[] codes, int codesOffset) {
    float s = rowScale(x, offset, cols, ub);
    for (int c = 0; c < cols; c++) {
      codes[codesOffset + c] = E4m3Encoder.saturating(x[offset + c] / s);
    }
    return s;
  }

  static float rowScale(float[] x, int offset, int cols, float ub) {
    float amax = 0f;
    for (int c = 0; c < cols; c++) {
      amax = Math.max(amax, Math.abs(x[offset + c]));
    }
    return Math.max(Math.min(amax, ub) / E4M3_MAX, MIN_ROW_SCALE);
  }

  /** FBGEMM per-row quantization of a whole {@code rows x cols} weight (no bound). */
  static Blocks rowwise(float[] w, int rows, int cols) {
    byte[] codes = new byte[rows * cols];
    float[] scales = new float[rows];
    for (int r = 0; r < rows; r++) {
      scales[r] = row(w, r * cols, cols, Float.POSITIVE_INFINITY, codes, r * cols);
    }
    return new Blocks(codes, scales);
  }
}
