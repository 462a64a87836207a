package dev.quant4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShapeTest {
  @Test
  void numelAndImmutability() {
    long[] dims = {3, 4, 5};
    Shape s = Shape.of(dims);
    dims[0] = 100;
    assertEquals(60, s.numel());
    assertEquals(3, s.rank());
    s.dims()[1] = 9;
    assertEquals(4, s.dim(1));
    assertNotSame(s.dims(), s.dims());
    assertEquals(1, Shape.of().numel());
    assertEquals(0, Shape.of(7, 0).numel());
    assertEquals(Shape.of(3, 4, 5), s);
    assertEquals("[3, 4, 5]", s.toString());
  }

  @Test
  void overflowAndNegativeAreRefused() {
    assertEquals(-1, Shape.numelOf(new long[] {1L << 32, 1L << 32}));
    assertEquals(-1, Shape.numelOf(new long[] {2, -1}));
    assertThrows(IllegalArgumentException.class, () -> Shape.of(1L << 40, 1L << 40));
  }
}
