package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The dequantization error of each scheme is bounded by its step: half a step for int (plus the
 * bf16 roundings of {@code x / scale} and of the dequantized product), an fp8 rounding for fp8.
 */
class CompressedTensorsErrorBoundPropertiesTest {
  static TensorView bf16(String name, int rows, int cols, float[] values) {
    MemorySegment s = MemorySegment.ofArray(new byte[values.length * 2]);
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; i++) {
      s.setAtIndex(le, i, FloatConversions.floatToBf16(values[i]));
    }
    return new TensorView(name, DType.BF16, Shape.of(rows, cols), s, null);
  }

  static float bf16(float v) {
    return ScaleDtype.BF16.round(v);
  }

  static CompressedTensorsQuantizer quantizer(
      QuantizationArgs w, QuantizationArgs in, String format) {
    QuantizationScheme s = new QuantizationScheme(List.of("Linear"), w, in, null, null, Map.of());
    return new CompressedTensorsQuantizer(
        new CompressedTensorsConfig(
            Map.of("group_0", s),
            format,
            "compressed",
            null,
            null,
            List.of(),
            null,
            false,
            Map.of()));
  }

  static QuantizationArgs weights(int bits, String type, boolean sym, String strategy, Integer gs) {
    return QuantizationArgs.of(bits, type, sym, strategy, gs, QuantizationArgs.Dynamic.FALSE);
  }

  static float[] finite(float[] raw, int n, float limit) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      float v = raw[i % raw.length] * (1 + i / raw.length);
      w[i] = bf16(Float.isFinite(v) ? Math.clamp(v, -limit, limit) : 0f);
    }
    return w;
  }

  @Property(tries = 150)
  void intErrorIsAtMostHalfAStep(
      @ForAll @Size(min = 1, max = 64) float[] raw,
      @ForAll @IntRange(min = 2, max = 8) int bits,
      @ForAll boolean symmetric,
      @ForAll @IntRange(min = 0, max = 2) int strategyIndex) {
    String strategy = List.of("tensor", "channel", "group").get(strategyIndex);
    int rows = 3;
    int cols = 64;
    float[] w = finite(raw, rows * cols, 1e4f);
    Integer gs = strategy.equals("group") ? 16 : null;
    QuantizedWeight q =
        quantizer(weights(bits, "int", symmetric, strategy, gs), null, "naive-quantized")
            .quantize(bf16("m.weight", rows, cols, w));
    float[] d = q.dequantize();
    ScaleGrid grid =
        ScaleGrid.of(weights(bits, "int", symmetric, strategy, gs), rows, cols, null, "m");
    float steps = (1 << bits) - 1;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float v = w[r * cols + c];
        float scale = groupScale(w, grid, r, c, symmetric, steps);
        // half a step, the bf16 rounding of x / scale (half a bf16 ulp of up to 2^bits steps) and
        // of the scale, and the bf16 rounding of the dequantized value
        float bound = scale * (0.5f + (1 << bits) / 256f) * 1.02f + Math.abs(v) / 128f + 1e-30f;
        assertTrue(
            Math.abs(v - d[r * cols + c]) <= bound,
            strategy
                + " bits="
                + bits
                + " sym="
                + symmetric
                + " r="
                + r
                + " c="
                + c
                + " w="
                + v
                + " d="
                + d[r * cols + c]
                + " bound="
                + bound);
      }
    }
  }

  /** The step of the tile holding (r, c), recomputed from its min and max. */
  private static float groupScale(
      float[] w, ScaleGrid grid, int r, int c, boolean symmetric, float steps) {
    float lo = 0;
    float hi = 0;
    int g = grid.index(r, c);
    for (int rr = 0; rr < grid.rows(); rr++) {
      for (int cc = 0; cc < grid.cols(); cc++) {
        if (grid.index(rr, cc) == g) {
          lo = Math.min(lo, w[rr * grid.cols() + cc]);
          hi = Math.max(hi, w[rr * grid.cols() + cc]);
        }
      }
    }
    return symmetric ? Math.max(-lo, hi) / (steps / 2) : (hi - lo) / steps;
  }

  @Property(tries = 150)
  void fp8ErrorIsOneE4m3RoundingOfTheScaledValue(
      @ForAll @Size(min = 1, max = 64) float[] raw, @ForAll @IntRange(min = 0, max = 2) int s) {
    String strategy = List.of("tensor", "channel", "block").get(s);
    QuantizationArgs args =
        strategy.equals("block")
            ? new QuantizationArgs(
                8,
                "float",
                true,
                null,
                "block",
                List.of(2, 32),
                QuantizationArgs.Dynamic.FALSE,
                null,
                null,
                null,
                Map.of())
            : weights(8, "float", true, strategy, null);
    int rows = 5;
    int cols = 64;
    float[] w = finite(raw, rows * cols, 1e4f);
    float[] d =
        quantizer(args, null, "float-quantized")
            .quantize(bf16("m.weight", rows, cols, w))
            .dequantize();
    ScaleGrid grid = ScaleGrid.of(args, rows, cols, null, "m");
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        float v = w[r * cols + c];
        float scale = groupScale(w, grid, r, c, true, 896f);
        // e4m3 keeps 3 mantissa bits (relative 2^-4), subnormals step 2^-9 of the scale; plus the
        // bf16 roundings of x / scale and of the result
        float bound = Math.abs(v) * (0x1p-4f + 0x1p-7f) * 1.01f + scale * 0x1p-9f * 1.01f + 1e-30f;
        assertTrue(
            Math.abs(v - d[r * cols + c]) <= bound,
            strategy + " r=" + r + " c=" + c + " w=" + v + " d=" + d[r * cols + c]);
      }
    }
  }

  @Property(tries = 100)
  void dynamicActivationsStayWithinHalfAStepPerToken(
      @ForAll @Size(min = 4, max = 4 * 40) float[] raw,
      @ForAll boolean fp8,
      @ForAll @FloatRange(min = 0.01f, max = 100f) float magnitude) {
    int cols = raw.length / 4;
    int tokens = 4;
    float[] x = new float[tokens * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = Float.isFinite(raw[i]) ? Math.clamp(raw[i], -1f, 1f) * magnitude : 0f;
    }
    float[] out = new float[x.length];
    new DynamicActivations(fp8, 8, true, 0).apply(x, 0, tokens, cols, out);
    for (int t = 0; t < tokens; t++) {
      float absmax = 0;
      for (int c = 0; c < cols; c++) {
        absmax = Math.max(absmax, Math.abs(x[t * cols + c]));
      }
      for (int c = 0; c < cols; c++) {
        float v = x[t * cols + c];
        float bound =
            fp8
                ? Math.abs(v) * 0x1p-4f * 1.001f + absmax / 448 * 0x1p-9f
                : absmax / 127.5f / 2 * 1.001f;
        assertTrue(Math.abs(v - out[t * cols + c]) <= bound + 1e-30f, "t=" + t + " c=" + c);
      }
    }
  }

  @Test
  void fp8CodesFollowTheSpecsWorkedCasesAfterClampingTo448() {
    ScaleGrid grid = new ScaleGrid("tensor", 1, 8, 1, 8);
    float[] w = {
      232f, 500f, 449f, Float.MAX_VALUE, -1e9f, 0x1p-10f, 0x1p-9f * 1.4142135f, 3 * 0x1p-10f
    };
    byte[] codes =
        MinMaxQuantization.fp8Codes(
            w, grid, new MinMaxQuantization.QParams(new float[] {1f}, null), ScaleDtype.F32);
    assertArrayEquals(new byte[] {0x76, 0x7E, 0x7E, 0x7E, (byte) 0xFE, 0x00, 0x01, 0x02}, codes);
  }

  @Test
  void anAllZeroGroupGetsTheBf16EpsAsScaleAndZeroCodes() {
    float[] w = new float[32];
    for (int i = 16; i < 32; i++) {
      w[i] = bf16(0.01f * (i - 20));
    }
    ScaleGrid grid = new ScaleGrid("group", 1, 32, 1, 16);
    for (boolean sym : new boolean[] {true, false}) {
      MinMaxQuantization.QParams qp =
          MinMaxQuantization.qparams(w, grid, 4, false, sym, ScaleDtype.BF16);
      assertEquals(0x1p-7f, qp.scales()[0]);
      byte[] q = MinMaxQuantization.intCodes(w, grid, qp, 4, ScaleDtype.BF16);
      for (int i = 0; i < 16; i++) {
        assertEquals(0, q[i] - (sym ? 0 : qp.zeros()[0]));
      }
    }
  }

  @Test
  void int8ScaleDividesBy127Point5InFloatThenRoundsToBf16() {
    // 127.5 is not a bf16 value: dividing by bf16(127.5) = 128 would give a different scale.
    ScaleGrid grid = new ScaleGrid("tensor", 1, 2, 1, 2);
    float[] w = {1f, -0.25f};
    MinMaxQuantization.QParams qp =
        MinMaxQuantization.qparams(w, grid, 8, false, true, ScaleDtype.BF16);
    assertEquals(bf16(1f / 127.5f), qp.scales()[0]);
    assertTrue(qp.scales()[0] != bf16(1f / 128f));
    assertArrayEquals(
        new byte[] {127, (byte) -32}, MinMaxQuantization.intCodes(w, grid, qp, 8, ScaleDtype.BF16));
  }
}
