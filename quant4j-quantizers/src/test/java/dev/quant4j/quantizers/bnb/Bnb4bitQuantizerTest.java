package dev.quant4j.quantizers.bnb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.FormatException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Bnb4bitQuantizerTest {
  private static byte[] packed(Bnb4bitWeight w) {
    return w.packed().toArray(ValueLayout.JAVA_BYTE);
  }

  @Test
  void tableValuesTimesAbsmaxQuantizeToTheirOwnCodesEarlierElementInHighNibble() {
    // One block holding every NF4 value scaled by 2: each must get its own code back.
    float[] w = new float[64];
    for (int i = 0; i < 64; i++) {
      w[i] = 2f * BnbCodebooks.NF4.value(i % 16);
    }
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w", w, 4, 16, BnbFloatType.FLOAT32, Bnb4bitSettings.of(Bnb4bitType.NF4, false));
    assertEquals(2f, q.absmax(0));
    byte[] p = packed(q);
    for (int j = 0; j < 32; j++) {
      int even = (2 * j) % 16;
      assertEquals((byte) ((even << 4) | (even + 1)), p[j], "byte " + j);
    }
    assertArrayEquals(w, Bnb4bitDequantizer.dequantize(q));
  }

  @Test
  void partialLastBlockHasItsOwnAbsmaxAndOddLengthPadsWithTheCodeOfZero() {
    float[] w = new float[67]; // one full block of 64, a partial block of 3
    for (int i = 0; i < 64; i++) {
      w[i] = i % 2 == 0 ? 0.5f : -0.25f;
    }
    w[64] = -3f;
    w[65] = 3f;
    w[66] = 1.5f;
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w", w, 1, 67, BnbFloatType.FLOAT32, Bnb4bitSettings.of(Bnb4bitType.NF4, false));
    assertArrayEquals(new float[] {0.5f, 3f}, q.absmax());
    byte[] p = packed(q);
    assertEquals(34, p.length);
    assertEquals((byte) 0x0F, p[32]); // -1 -> code 0, +1 -> code 15
    // 1.5/3 = 0.5 lies below the 0.5017 midpoint, so code 12 (0.4407); the pad nibble is the code
    // of 0.0, which is 7 for NF4.
    assertEquals((byte) 0xC7, p[33]);
  }

  @Test
  void allZeroBlockIsCodeSevenWithZeroScale() {
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w",
            new float[64],
            8,
            8,
            BnbFloatType.BFLOAT16,
            Bnb4bitSettings.of(Bnb4bitType.NF4, false));
    assertEquals(0f, q.absmax(0));
    for (byte b : packed(q)) {
      assertEquals((byte) 0x77, b);
    }
    assertArrayEquals(new float[64], Bnb4bitDequantizer.dequantize(q));
  }

  @Test
  void quantStateJsonHasBitsandbytesKeyOrderAndFormatting() {
    float[] w = new float[128 * 4];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(i * 0.37) * (1 + i % 7);
    }
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w", w, 4, 128, BnbFloatType.BFLOAT16, Bnb4bitSettings.of(Bnb4bitType.FP4, true));
    String json = new String(q.quantStateJson(), StandardCharsets.UTF_8);
    float offset = q.nested().orElseThrow().offset();
    assertEquals(
        "{\"quant_type\": \"fp4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [4, 128], "
            + "\"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": "
            + dev.quant4j.quantizers.common.PythonFloatRepr.repr(offset)
            + "}",
        json);
    assertTrue(offset > 0);
    assertEquals(
        "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float16\", \"shape\": [4, 128]}",
        new String(
            Bnb4bitQuantizer.quantize(
                    "w",
                    w,
                    4,
                    128,
                    BnbFloatType.FLOAT16,
                    Bnb4bitSettings.of(Bnb4bitType.NF4, false))
                .quantStateJson(),
            StandardCharsets.UTF_8));
  }

  @Test
  void doubleQuantOffsetIsTheMeanAndCodesDequantizeNearTheAbsmax() {
    float[] w = new float[64 * 300]; // 300 blocks: two nested blocks, the second partial
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.cos(i * 1.3) * (1 + (i / 64) % 13);
    }
    Bnb4bitWeight plain =
        Bnb4bitQuantizer.quantize(
            "w", w, 300, 64, BnbFloatType.FLOAT32, Bnb4bitSettings.of(Bnb4bitType.NF4, false));
    Bnb4bitWeight dq =
        Bnb4bitQuantizer.quantize(
            "w", w, 300, 64, BnbFloatType.FLOAT32, Bnb4bitSettings.of(Bnb4bitType.NF4, true));
    assertArrayEquals(packed(plain), packed(dq), "double quant must not change the 4-bit codes");
    NestedAbsmax n = dq.nested().orElseThrow();
    float[] exact = plain.absmax();
    double sum = 0;
    for (float a : exact) {
      sum += a;
    }
    assertEquals((float) (sum / exact.length), n.offset(), 1e-6f);
    assertEquals(2, n.nestedAbsmax().length);
    for (int b = 0; b < exact.length; b++) {
      // The widest gap of the dynamic map is 0.0140625 (near +-1); half of it times the nested
      // scale.
      float tol = n.nestedAbsmax()[b / 256] * 0.0071f + 1e-6f;
      assertEquals(exact[b], dq.absmax(b), tol, "block " + b);
    }
  }

  @Test
  void nonFiniteWeightIsATypedError() {
    float[] w = new float[64];
    w[5] = Float.NaN;
    FormatException e =
        assertThrows(
            FormatException.class,
            () ->
                Bnb4bitQuantizer.quantize(
                    "layer.weight",
                    w,
                    1,
                    64,
                    BnbFloatType.FLOAT32,
                    Bnb4bitSettings.of(Bnb4bitType.NF4, false)));
    assertTrue(e.getMessage().contains("layer.weight[5]"), e.getMessage());
  }

  @Test
  void dequantizeRoundsToTheTargetType() {
    float[] w = {0.3f, -0.7f, 0.11f, 0.9f};
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w", w, 2, 2, BnbFloatType.BFLOAT16, Bnb4bitSettings.of(Bnb4bitType.NF4, false));
    float[] f32 = Bnb4bitDequantizer.dequantize(q);
    float[] bf16 = Bnb4bitDequantizer.dequantize(q, BnbFloatType.BFLOAT16);
    for (int i = 0; i < 4; i++) {
      assertEquals(0, Float.floatToRawIntBits(bf16[i]) & 0xFFFF);
      assertEquals(f32[i], bf16[i], Math.abs(f32[i]) / 256f);
    }
  }
}
