package dev.quant4j.dtype;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.kernels.E4m3;
import org.junit.jupiter.api.Test;

/** The kernels' bit-trick e4m3 decoder against core's exact field-by-field decoder, every code. */
class KernelE4m3Test {
  @Test
  void everyCodeDecodesAsTheExactDecoderDoes() {
    for (int i = 0; i < 256; i++) {
      byte code = (byte) i;
      float exact = FloatConversions.e4m3ToFloat(code);
      assertEquals(
          Float.floatToRawIntBits(exact),
          Float.floatToRawIntBits(E4m3.toFloat(code)),
          "code 0x" + Integer.toHexString(i) + ": " + exact + " vs " + E4m3.toFloat(code));
      assertEquals(Float.isNaN(exact), E4m3.isNaN(code));
    }
  }
}
