package dev.quant4j.quantizers.compressed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.dtype.FloatConversions;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import org.junit.jupiter.api.Test;

/** The activations' fast e4m3 rounding equals encoding to e4m3 and decoding. */
class E4m3GridTest {
  private static float viaByte(float v) {
    return FloatConversions.e4m3ToFloat(FloatConversions.floatToE4M3Saturating(v));
  }

  @Property(tries = 3000)
  void equalsEncodeThenDecode(@ForAll @FloatRange(min = -448f, max = 448f) float v) {
    assertEquals(viaByte(v), E4m3Grid.round(v), "v=" + v);
  }

  @Property(tries = 3000)
  void equalsEncodeThenDecodeForSmallValues(
      @ForAll @FloatRange(min = -0.05f, max = 0.05f) float v) {
    assertEquals(viaByte(v), E4m3Grid.round(v), "v=" + v);
  }

  @Test
  void everyCodeAndEveryTieBetweenNeighboursRoundsAsTheEncoderDoes() {
    for (int code = 0; code < 0x7E; code++) {
      float a = FloatConversions.e4m3ToFloat((byte) code);
      float b = FloatConversions.e4m3ToFloat((byte) (code + 1));
      float mid = (a + b) / 2;
      for (float v : new float[] {a, b, mid, Math.nextUp(mid), Math.nextDown(mid)}) {
        assertEquals(viaByte(v), E4m3Grid.round(v), "v=" + v);
        assertEquals(viaByte(-v), E4m3Grid.round(-v), "v=" + -v);
      }
    }
  }
}
