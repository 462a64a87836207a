package dev.quant4j.quantizers.bitnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.FormatException;
import dev.quant4j.json.BoundedJson;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BitNetPropertiesTest {
  /** Ternary values from arbitrary bytes. */
  private static byte[] ternary(byte[] raw) {
    byte[] t = new byte[raw.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = (byte) (Math.floorMod(raw[i], 3) - 1);
    }
    return t;
  }

  @Property(tries = 100)
  void transformersPackingRepacksIntoTheSameKernelCodes(
      @ForAll @Size(min = 16, max = 16 * 12) byte[] raw,
      @ForAll @IntRange(min = 1, max = 3) int rowsBy4) {
    int rows = rowsBy4 * 4;
    int cols = (raw.length / rows) / 4 * 4;
    if (cols == 0) {
      return;
    }
    byte[] t = java.util.Arrays.copyOf(ternary(raw), rows * cols);
    byte[] packed = BitNetPacking.pack(t, rows, cols);
    assertEquals(rows * cols / 4, packed.length);
    byte[] codes =
        BitNetPacking.toKernelCodes(null, "w", MemorySegment.ofArray(packed), rows, cols);
    assertArrayEquals(BitNetPacking.kernelCodes(t), codes);
    // unpack as transformers does: t[o, i] = ((packed[o % R, i] >> 2 * (o / R)) & 3) - 1
    int r = rows / 4;
    for (int o = 0; o < rows; o++) {
      for (int i = 0; i < cols; i++) {
        int code = (packed[(o % r) * cols + i] >>> (2 * (o / r))) & 3;
        assertEquals(t[o * cols + i], code - 1);
      }
    }
  }

  @Test
  void refusesTheUnusedCode() {
    byte[] packed = {(byte) 0b11, 0, 0, 0};
    assertThrows(
        FormatException.class,
        () -> BitNetPacking.toKernelCodes(null, "w", MemorySegment.ofArray(packed), 4, 4));
  }

  /**
   * Each weight lands on the nearest of {-1, 0, 1} / s: off by at most half a step, except weights
   * beyond 1.5 steps, which clamp to the outermost level.
   */
  @Property(tries = 200)
  void ternarizationErrorIsHalfAStepOrTheClamp(
      @ForAll @Size(min = 1, max = 300) float[] raw,
      @ForAll @FloatRange(min = 0.01f, max = 1e3f) float magnitude) {
    float[] w = new float[raw.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = Float.isFinite(raw[i]) ? Math.clamp(raw[i], -1f, 1f) * magnitude : 0f;
    }
    float s = AbsmeanTernarizer.multiplier(w, w.length);
    byte[] t = AbsmeanTernarizer.ternarize(w, w.length, s);
    float step = 1f / s;
    for (int i = 0; i < w.length; i++) {
      float d = t[i] * step;
      if (Math.abs(w[i]) * s <= 1.5f) {
        assertTrue(
            Math.abs(w[i] - d) <= 0.5f * step * (1 + 1e-6f),
            "w=" + w[i] + " d=" + d + " step=" + step);
      } else {
        assertEquals(Math.signum(w[i]), t[i], "clamped to the sign");
      }
    }
  }

  /** The largest |x| of a token maps to ±127: nothing clamps, the error is half a step. */
  @Property(tries = 200)
  void activationErrorIsHalfAStep(
      @ForAll @Size(min = 1, max = 200) float[] raw,
      @ForAll @FloatRange(min = 0.01f, max = 1e4f) float magnitude) {
    float[] x = new float[raw.length];
    float absmax = 0;
    for (int i = 0; i < x.length; i++) {
      x[i] = Float.isFinite(raw[i]) ? Math.clamp(raw[i], -1f, 1f) * magnitude : 0f;
      absmax = Math.max(absmax, Math.abs(x[i]));
    }
    float[] q = new float[x.length];
    BitNetActivations.PLAIN.apply(x, 0, 1, x.length, q);
    float step = Math.max(absmax, BitNetActivations.MIN_ABSMAX) / 127f;
    for (int i = 0; i < x.length; i++) {
      assertTrue(
          Math.abs(x[i] - q[i]) <= 0.5f * step * (1 + 1e-5f) + Float.MIN_NORMAL,
          "x=" + x[i] + " q=" + q[i] + " step=" + step);
    }
  }

  @Test
  void configRoundTripsThroughItsDict() {
    ObjectNode dict =
        (ObjectNode)
            new BoundedJson(1 << 16)
                .parse(
                    null,
                    ("{\"linear_class\":\"autobitlinear\",\"modules_to_not_convert\":null,"
                            + "\"quant_method\":\"bitnet\",\"quantization_mode\":\"offline\","
                            + "\"rms_norm_eps\":1e-06,\"use_rms_norm\":false}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    BitNetConfig c = BitNetConfig.fromDict(null, dict);
    assertEquals("autobitlinear", c.linearClass());
    assertEquals(c, BitNetConfig.fromDict(null, c.toDict()));
    assertEquals(
        dict,
        new BoundedJson(1 << 16).parse(null, c.toDict().toString()),
        "to_dict as transformers writes it");
    BitNetConfig online =
        new BitNetConfig(java.util.List.of("mlp"), "autobitlinear", "online", true, 1e-5, Map.of());
    assertEquals(online, BitNetConfig.fromDict(null, online.toDict()));
  }
}
