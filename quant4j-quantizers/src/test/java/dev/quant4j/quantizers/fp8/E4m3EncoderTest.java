package dev.quant4j.quantizers.fp8;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.dtype.FloatConversions;
import org.junit.jupiter.api.Test;

class E4m3EncoderTest {
  @Test
  void agreesWithTheReferenceEncoderAcrossTheFloats() {
    // Every 1009th bit pattern of all floats, and every 13th around the e4m3 range.
    for (long b = 0; b <= 0xFFFFFFFFL; b += 1009) {
      check(Float.intBitsToFloat((int) b));
    }
    int from = Float.floatToRawIntBits(0x1p-12f);
    int to = Float.floatToRawIntBits(512f);
    for (int b = from; b < to; b += 13) {
      check(Float.intBitsToFloat(b));
      check(-Float.intBitsToFloat(b));
    }
  }

  /** The torch 2.13 cases of the spec (formats-fp8 §0.5). */
  @Test
  void specCases() {
    assertEquals((byte) 0x7E, E4m3Encoder.saturating(500f));
    assertEquals((byte) 0x7E, E4m3Encoder.saturating(470f));
    assertEquals((byte) 0x7E, E4m3Encoder.saturating(464f));
    assertEquals((byte) 0x7E, E4m3Encoder.saturating(449f));
    assertEquals((byte) 0x7E, E4m3Encoder.saturating(Float.POSITIVE_INFINITY));
    assertEquals((byte) 0xFE, E4m3Encoder.saturating(-1e9f));
    assertEquals((byte) 0x7F, E4m3Encoder.saturating(Float.NaN));
    assertEquals((byte) 0x00, E4m3Encoder.saturating(0x1p-10f));
    assertEquals((byte) 0x01, E4m3Encoder.saturating((float) Math.pow(2, -9.5)));
    assertEquals((byte) 0x76, E4m3Encoder.saturating(232f));
    assertEquals((byte) 0x02, E4m3Encoder.saturating(3 * 0x1p-10f));
  }

  private static void check(float f) {
    assertEquals(
        FloatConversions.floatToE4M3Saturating(f), E4m3Encoder.saturating(f), () -> "f=" + f);
  }
}
