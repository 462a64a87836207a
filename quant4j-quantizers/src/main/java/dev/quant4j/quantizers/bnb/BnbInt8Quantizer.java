package dev.quant4j.quantizers.bnb;

import dev.quant4j.error.FormatException;
import java.lang.foreign.MemorySegment;

/**
 * LLM.int8() weight quantization as bitsandbytes 0.50 does it on CPU ({@code Int8Params} then the
 * pure-torch {@code int8_vectorwise_quant} with threshold 0): the weight is cast to float16, each
 * row scaled by {@code reciprocal(absmax) * 127} (two float32 roundings, as torch evaluates {@code
 * 127.0 / t}) and rounded half to even.
 */
public final class BnbInt8Quantizer {
  private BnbInt8Quantizer() {}

  /**
   * Quantizes the row-major {@code [rows, cols]} weight held in the first {@code rows * cols} of
   * {@code values}; {@code name} names it in errors. Values beyond float16's range are rejected:
   * bitsandbytes would silently turn them into infinities.
   */
  public static BnbInt8Weight quantize(String name, float[] values, int rows, int cols) {
    if (rows <= 0 || cols <= 0 || (long) rows * cols > values.length) {
      throw new FormatException(
          null, name, "weight size does not match its shape", (long) rows * cols, values.length);
    }
    byte[] codes = new byte[rows * cols];
    float[] scb = new float[rows];
    float[] row = new float[cols];
    for (int o = 0; o < rows; o++) {
      float max = 0f;
      for (int i = 0; i < cols; i++) {
        float h = Float.float16ToFloat(Float.floatToFloat16(values[o * cols + i]));
        if (!Float.isFinite(h)) {
          throw new FormatException(
              null,
              name + "[" + o + ", " + i + "]",
              "weight is not finite in float16",
              "|w| <= 65504",
              values[o * cols + i]);
        }
        row[i] = h;
        max = Math.max(max, Math.abs(h));
      }
      scb[o] = max;
      quantizeRow(row, max, codes, o * cols);
    }
    return new BnbInt8Weight(rows, cols, MemorySegment.ofArray(codes), scb);
  }

  /**
   * Writes {@code round_half_even(x * f32(f32(1/absmax) * 127))} for one row. A zero row (torch
   * would compute 0 * inf = NaN, then an undefined cast) gets zero codes.
   */
  static void quantizeRow(float[] row, float absmax, byte[] out, int offset) {
    if (absmax == 0f) {
      return;
    }
    float scale = (1f / absmax) * 127f;
    for (int i = 0; i < row.length; i++) {
      out[offset + i] = (byte) Math.rint(row[i] * scale);
    }
  }
}
