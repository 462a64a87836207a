package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * FP4 errors are bounded by the E2M1 grid: a value {@code t = x / S} of its group (S the group's
 * effective scale) lands within half the grid's gap at {@code |t|} (0.25 below 2, 0.5 below 4, 1 up
 * to 6), or is clipped at 6; the group's scale sits where the format puts it (NVFP4: amax / 6
 * within an e4m3 rounding, MXFP4: the power of two that maps amax into [3.5, 7)).
 */
class CompressedTensorsFp4ErrorBoundPropertiesTest {
  private static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  static TensorView weight(int rows, int cols, float[] v, boolean f32) {
    if (!f32) {
      return CompressedTensorsErrorBoundPropertiesTest.bf16("m.weight", rows, cols, v);
    }
    MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4]);
    for (int i = 0; i < v.length; i++) {
      s.setAtIndex(F32_LE, i, v[i]);
    }
    return new TensorView("m.weight", DType.F32, Shape.of(rows, cols), s, null);
  }

  /** Varied magnitudes: the raw values times a per-group exponent, so groups differ widely. */
  static float[] values(float[] raw, int n, int gs, boolean f32) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      float v = raw[i % raw.length] * (float) Math.pow(2, (i / gs) % 9 - 4) * (1 + i % 3);
      w[i] = f32 ? v : CompressedTensorsErrorBoundPropertiesTest.bf16(v);
    }
    return w;
  }

  static float halfGap(float t) {
    float a = Math.abs(t);
    return a < 2f ? 0.25f : a < 4f ? 0.5f : 1f;
  }

  @Property(tries = 200)
  void nvfp4ErrorIsHalfAGridGapOfItsGroupScale(
      @ForAll @Size(min = 1, max = 80) float[] raw,
      @ForAll @IntRange(min = -20, max = 10) int exponent,
      @ForAll boolean f32) {
    check(true, raw, Math.scalb(1.3f, exponent), f32);
  }

  @Property(tries = 200)
  void mxfp4ErrorIsHalfAGridGapOfItsPowerOfTwoScale(
      @ForAll @Size(min = 1, max = 80) float[] raw,
      @ForAll @IntRange(min = -20, max = 10) int exponent,
      @ForAll boolean f32) {
    check(false, raw, Math.scalb(1.3f, exponent), f32);
  }

  private static void check(boolean nv, float[] raw, float magnitude, boolean f32) {
    int rows = 3;
    int cols = 64;
    int gs = nv ? 16 : 32;
    float[] scaled = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      scaled[i] = Float.isFinite(raw[i]) ? Math.clamp(raw[i], -1f, 1f) * magnitude : 0f;
    }
    float[] w = values(scaled, rows * cols, gs, f32);
    // an all-zero NVFP4 weight has no finite global scale (refused, see CompressedTensorsFp4Test)
    Assume.that(!nv || java.util.stream.IntStream.range(0, w.length).anyMatch(i -> w[i] != 0f));
    QuantizedWeight q = CompressedTensorsFp4Test.quantizer(nv).quantize(weight(rows, cols, w, f32));
    float[] d = q.dequantize();
    MemorySegment scales = q.checkpointTensors().get(1).data();
    float global = nv ? q.checkpointTensors().get(2).data().get(F32_LE, 0) : Float.NaN;
    for (int g = 0; g < rows * cols / gs; g++) {
      byte b = scales.get(ValueLayout.JAVA_BYTE, g);
      float amax = 0;
      for (int i = g * gs; i < (g + 1) * gs; i++) {
        amax = Math.max(amax, Math.abs(w[i]));
      }
      float s;
      if (nv) {
        float e4m3 = FloatConversions.e4m3ToFloat(b);
        s = e4m3 / global;
        if (e4m3 >= 0x1p-6f
            && amax > 0) { // a normal e4m3 scale: amax / 6 within 2^-4 (and bf16 ops)
          float ratio = amax / 6f / s;
          assertTrue(ratio > 0.93f && ratio < 1.07f, "nvfp4 group " + g + " scale ratio " + ratio);
        }
      } else {
        s = Math.scalb(1f, (b & 0xFF) - 127);
        if (amax >= 0x1p-100f) {
          float t = amax / s;
          assertTrue(t >= 3.5f && t < 7f, "mxfp4 group " + g + " amax / scale " + t);
        }
      }
      for (int i = g * gs; i < (g + 1) * gs; i++) {
        float t = w[i] / s;
        float err = Math.abs(t) > 6f ? Math.abs(w[i]) - 6f * s : halfGap(t) * s;
        // plus float32 rounding of x / scale and the bf16 rounding of the dequantized value
        float bound = err * 1.0001f + Math.abs(w[i]) * 0x1p-8f + 1e-37f;
        float diff = Math.abs(w[i] - d[i]);
        assertTrue(
            diff <= bound,
            (nv ? "nvfp4" : "mxfp4")
                + " i="
                + i
                + " w="
                + w[i]
                + " d="
                + d[i]
                + " scale="
                + s
                + " bound="
                + bound);
      }
    }
  }
}
