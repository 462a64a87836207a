package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class Int8BlockActivationsTest {

  @Test
  void eachBlockMapsItsLargestMagnitudeTo127AndRoundsToNearestEven() {
    // Block 1: amax 127 so d = 1: 2.5 -> 2 and -3.5 -> -4 (ties to even), 0.49 -> 0.
    // Block 2 (the short last one): all zeros stays zeros.
    float[] x = {127f, 2.5f, -3.5f, 0.49f, 0f, 0f};
    float[] out = new float[6];
    new Int8BlockActivations(4).apply(x, 0, 1, 6, out);
    assertArrayEquals(new float[] {127f, 2f, -4f, 0f, 0f, 0f}, out);
  }

  @Test
  void scalesEachTokenAndBlockApart() {
    float[] x = {9f, -254f, 1f, 2f, 0.5f, 1f};
    float[] out = new float[6];
    // Two tokens of 3 columns in blocks of 2 and 1, from offset 0.
    new Int8BlockActivations(2).apply(x, 0, 2, 3, out);
    float d = 254f / 127;
    assertEquals(Math.rint(9f / d) * d, out[0], 0f);
    assertEquals(-254f, out[1], 0f);
    assertEquals(1f, out[2], 0f); // a block of one maps to +-amax exactly
    assertEquals(2f, out[3], 0f);
    assertEquals(Math.rint(0.5f / (2f / 127)) * (2f / 127), out[4], 1e-7f);
    assertEquals(1f, out[5], 0f);
  }

  @Test
  void rejectsNonPositiveBlocks() {
    assertThrows(IllegalArgumentException.class, () -> new Int8BlockActivations(0));
  }
}
