package dev.quant4j.quantizers.bnb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BnbCodebooksTest {
  @Test
  void nf4IsTheSpecTable() {
    float[] spec = {
      -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
      -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
      0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
      0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f
    };
    assertTrue(BnbCodebooks.NF4.bitsEqual(spec), BnbCodebooks.NF4::toString);
  }

  @Test
  void fp4IsSignExponentMantissaOverTwelve() {
    float[] magnitudes = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f};
    for (int code = 0; code < 16; code++) {
      float expected = (code >= 8 && code != 8 ? -1 : 1) * magnitudes[code & 7] / 12f;
      assertEquals(
          Float.floatToRawIntBits(expected),
          Float.floatToRawIntBits(BnbCodebooks.FP4.value(code)),
          "code " + code);
    }
  }

  @Test
  void dynamicMapIsSortedSymmetricAndEndsAtOne() {
    Codebook d = BnbCodebooks.DYNAMIC_8BIT;
    assertEquals(256, d.size());
    assertEquals(0f, d.value(127));
    assertEquals(1f, d.value(255));
    for (int i = 1; i < 256; i++) {
      assertTrue(d.value(i - 1) < d.value(i), "not increasing at " + i);
    }
    for (int i = 0; i < 255; i++) {
      assertTrue(-d.value(254 - i) == d.value(i), "not antisymmetric at " + i);
    }
  }

  @Test
  void dynamicMapEqualsTheSpecData() throws IOException {
    Path spec = TestFiles.requireShared("specs/data/bnb-dynamic-map-hex.txt");
    List<String> lines = Files.readAllLines(spec);
    assertEquals(256, lines.size());
    for (String line : lines) {
      String[] f = line.split("\t");
      int i = Integer.parseInt(f[0]);
      assertEquals(
          Integer.parseUnsignedInt(f[1], 16),
          Float.floatToRawIntBits(BnbCodebooks.DYNAMIC_8BIT.value(i)),
          "entry " + i);
      assertEquals(Float.parseFloat(f[2]), BnbCodebooks.DYNAMIC_8BIT.value(i));
    }
  }

  @Test
  void nf4DecisionThresholdsAreTheSpecMidpoints() {
    // The spec prints float32 values as Python floats: parse to double, then round to float (a
    // direct decimal-to-float parse can land one ulp off, e.g. for 0.1202552504837513).
    double[] spec = {
      -0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
      -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
      0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
      0.5016634166240692, 0.6427869200706482, 0.8614784181118011
    };
    float[] t = new float[15];
    for (int k = 0; k < 15; k++) {
      t[k] = (float) spec[k];
    }
    FourBitEncoder e = Bnb4bitType.NF4.encoder();
    int[] codes = new int[15];
    int[] above = new int[15];
    int[] expected = new int[15];
    for (int k = 0; k < 15; k++) {
      codes[k] = e.encode(t[k]); // a value on a threshold goes to the lower code
      above[k] = e.encode(Math.nextUp(t[k]));
      expected[k] = k;
    }
    assertArrayEquals(expected, codes);
    for (int k = 0; k < 15; k++) {
      expected[k] = k + 1;
    }
    assertArrayEquals(expected, above);
  }

  @Test
  void fp4EncoderMatchesTheCudaTreeAwayFromZero() {
    // CUDA dQuantizeFP4 thresholds on |x|; the CPU kernel agrees except for the two zero codes.
    float[] m = {
      0.00260417f, 0.0859375f, 0.20833333f, 0.29166667f, 0.4166667f, 0.583333f, 0.8333333f
    };
    int[] bits = {0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011};
    FourBitEncoder e = Bnb4bitType.FP4.encoder();
    for (int s = 0; s < 2; s++) {
      for (float a = 0.003f; a <= 1f; a += 0.0007f) {
        float x = s == 0 ? a : -a;
        int k = 0;
        while (k < 7 && a > m[k]) {
          k++;
        }
        assertEquals((x < 0 ? 8 : 0) + bits[k], e.encode(x), "x=" + x);
      }
    }
    assertEquals(8, e.encode(0.001f));
    assertEquals(0, e.encode(-0.001f));
    assertEquals(0, e.encode(0f));
  }
}
