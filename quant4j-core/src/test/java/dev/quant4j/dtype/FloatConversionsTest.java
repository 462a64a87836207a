package dev.quant4j.dtype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

class FloatConversionsTest {
  /** Independent decoder: the value of a code by its definition, in BigDecimal arithmetic. */
  private static double byDefinition(int code, int e, int m, int bias) {
    int exp = (code >>> m) & ((1 << e) - 1);
    int man = code & ((1 << m) - 1);
    BigDecimal frac = new BigDecimal(man).divide(new BigDecimal(1 << m));
    BigDecimal v =
        exp == 0
            ? frac.multiply(pow2(1 - bias))
            : BigDecimal.ONE.add(frac).multiply(pow2(exp - bias));
    return ((code >>> (e + m)) & 1) == 1 ? -v.doubleValue() : v.doubleValue();
  }

  private static BigDecimal pow2(int k) {
    return k >= 0 ? new BigDecimal(2).pow(k) : BigDecimal.ONE.divide(new BigDecimal(2).pow(-k));
  }

  private static void assertSame(double expected, float actual, int code) {
    assertEquals(
        Double.doubleToLongBits(expected),
        Double.doubleToLongBits(actual),
        () -> "code 0x" + Integer.toHexString(code) + ": " + expected + " vs " + actual);
  }

  @Test
  void fp8DecodersMatchTheDefinitionsAndSpecials() {
    for (int c = 0; c < 256; c++) {
      byte b = (byte) c;
      boolean e4m3Nan = (c & 0x7f) == 0x7f;
      if (e4m3Nan) {
        assertTrue(Float.isNaN(FloatConversions.e4m3ToFloat(b)));
      } else {
        assertSame(byDefinition(c, 4, 3, 7), FloatConversions.e4m3ToFloat(b), c);
      }
      if ((c & 0x7c) == 0x7c) {
        float v = FloatConversions.e5m2ToFloat(b);
        assertTrue((c & 3) == 0 ? Float.isInfinite(v) : Float.isNaN(v));
      } else {
        assertSame(byDefinition(c, 5, 2, 15), FloatConversions.e5m2ToFloat(b), c);
      }
      if (c == 0x80) {
        assertTrue(Float.isNaN(FloatConversions.e4m3fnuzToFloat(b)));
        assertTrue(Float.isNaN(FloatConversions.e5m2fnuzToFloat(b)));
      } else {
        assertSame(byDefinition(c, 4, 3, 8), FloatConversions.e4m3fnuzToFloat(b), c);
        assertSame(byDefinition(c, 5, 2, 16), FloatConversions.e5m2fnuzToFloat(b), c);
      }
    }
    assertEquals(448f, FloatConversions.e4m3ToFloat((byte) 0x7e));
    assertEquals(0x1p-9f, FloatConversions.e4m3ToFloat((byte) 0x01));
    assertEquals(57344f, FloatConversions.e5m2ToFloat((byte) 0x7b));
    assertEquals(240f, FloatConversions.e4m3fnuzToFloat((byte) 0x7f));
    assertEquals(57344f, FloatConversions.e5m2fnuzToFloat((byte) 0x7f));
  }

  @Test
  void e8m0AndFp4AndFp6() {
    assertEquals(1f, FloatConversions.e8m0ToFloat((byte) 127));
    assertEquals(0x1p-127f, FloatConversions.e8m0ToFloat((byte) 0));
    assertEquals(0x1p127f, FloatConversions.e8m0ToFloat((byte) 254));
    assertTrue(Float.isNaN(FloatConversions.e8m0ToFloat((byte) 255)));
    float[] e2m1 = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
    for (int c = 0; c < 16; c++) {
      assertEquals(c < 8 ? e2m1[c] : -e2m1[c - 8], FloatConversions.f4e2m1ToFloat(c));
    }
    for (int c = 0; c < 64; c++) {
      assertSame(byDefinition(c, 2, 3, 1), FloatConversions.f6e2m3ToFloat(c), c);
      assertSame(byDefinition(c, 3, 2, 3), FloatConversions.f6e3m2ToFloat(c), c);
    }
    assertEquals(7.5f, FloatConversions.f6e2m3ToFloat(0x1f));
    assertEquals(28f, FloatConversions.f6e3m2ToFloat(0x1f));
  }

  @Test
  void everyFp8PatternRoundTrips() {
    for (int c = 0; c < 256; c++) {
      byte b = (byte) c;
      if ((c & 0x7f) != 0x7f) {
        assertEquals(b, FloatConversions.floatToE4M3(FloatConversions.e4m3ToFloat(b)), "e4m3 " + c);
        assertEquals(b, FloatConversions.floatToE4M3Saturating(FloatConversions.e4m3ToFloat(b)));
      }
      if ((c & 0x7c) != 0x7c || (c & 3) == 0) {
        assertEquals(b, FloatConversions.floatToE5M2(FloatConversions.e5m2ToFloat(b)), "e5m2 " + c);
      }
    }
  }

  @Test
  void everyHalfPatternRoundTrips() {
    for (int c = 0; c < 65536; c++) {
      short s = (short) c;
      float bf = FloatConversions.bf16ToFloat(s);
      float h = FloatConversions.f16ToFloat(s);
      if (Float.isNaN(bf)) {
        assertTrue(Float.isNaN(FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(bf))));
      } else {
        assertEquals(s, FloatConversions.floatToBf16(bf));
      }
      if (!Float.isNaN(h)) {
        assertEquals(s, FloatConversions.floatToF16(h));
      }
    }
  }

  @Test
  void e4m3OverflowFollowsTorch() {
    assertEquals((byte) 0x7e, FloatConversions.floatToE4M3(464f)); // tie to even: 448
    assertTrue(Float.isNaN(FloatConversions.e4m3ToFloat(FloatConversions.floatToE4M3(465f))));
    assertTrue(
        Float.isNaN(
            FloatConversions.e4m3ToFloat(FloatConversions.floatToE4M3(Float.POSITIVE_INFINITY))));
    assertEquals(
        -448f, FloatConversions.e4m3ToFloat(FloatConversions.floatToE4M3Saturating(-1e9f)));
    assertEquals((byte) 0x7c, FloatConversions.floatToE5M2(1e9f));
    assertEquals(
        0x1p-9f,
        FloatConversions.e4m3ToFloat(
            FloatConversions.floatToE4M3(0x1.8p-10f))); // tie up to odd? no: 0.75 ulp rounds up
    assertEquals(
        0f,
        FloatConversions.e4m3ToFloat(
            FloatConversions.floatToE4M3(0x1p-10f))); // exact tie to even 0
  }

  /** Rounding is to the nearest representable value; ties go to the even code. */
  @Property(tries = 3000, shrinking = ShrinkingMode.OFF)
  void e4m3RoundsToNearestEven(@ForAll float x) {
    if (!Float.isFinite(x) || Math.abs(x) > 448) {
      return;
    }
    byte q = FloatConversions.floatToE4M3(x);
    float v = FloatConversions.e4m3ToFloat(q);
    double err = Math.abs((double) v - x);
    for (int c = 0; c < 256; c++) {
      float other = FloatConversions.e4m3ToFloat((byte) c);
      if (Float.isNaN(other)) {
        continue;
      }
      double otherErr = Math.abs((double) other - x);
      assertTrue(err <= otherErr, () -> x + " -> " + v + " but " + other + " is nearer");
      if (otherErr == err && other != v) {
        assertEquals(0, q & 1, "tie must go to the even code");
      }
    }
  }

  @Property(tries = 3000, shrinking = ShrinkingMode.OFF)
  void bf16RoundsToNearestEven(@ForAll float x) {
    if (!Float.isFinite(x)) {
      return;
    }
    float v = FloatConversions.bf16ToFloat(FloatConversions.floatToBf16(x));
    int bits = Float.floatToRawIntBits(x);
    float down = Float.intBitsToFloat(bits & 0xffff0000);
    float up = Float.intBitsToFloat((bits & 0xffff0000) + 0x10000);
    double dDown = Math.abs((double) down - x);
    // Past the largest finite value, rounding behaves as if the exponent went on (to 2^128).
    double upValue = Float.isInfinite(up) ? Math.copySign(0x1p128, x) : up;
    double dUp = Math.abs(upValue - x);
    float expected = dDown < dUp ? down : dUp < dDown ? up : ((bits >>> 16) & 1) == 0 ? down : up;
    assertEquals(expected, v);
  }
}
