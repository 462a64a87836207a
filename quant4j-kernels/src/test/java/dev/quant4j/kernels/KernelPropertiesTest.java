package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class KernelPropertiesTest {

  @Property(tries = 200)
  void dotOfAnyVectorsAgreesWithinBound(
      @ForAll @Size(min = 1, max = 300) List<@FloatRange(min = -1e3f, max = 1e3f) Float> values) {
    // Elements bounded so that no partial sum can overflow float (the double reference would not).
    float[] a = new float[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    KernelBackend b = Kernels.backend();
    float[] c = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[a.length - 1 - i] * 0.5f;
    }
    double exact = 0;
    double sumAbs = 0;
    for (int i = 0; i < a.length; i++) {
      exact += (double) a[i] * c[i];
      sumAbs += Math.abs((double) a[i] * c[i]);
    }
    assertTrue(
        Math.abs(b.dot(a, 0, c, 0, a.length) - exact) <= Fixtures.dotBound(b, a.length, sumAbs));
  }

  @Property(tries = 100)
  void fourBitNibbleOrderIsHighFirst(
      @ForAll @IntRange(min = 0, max = 15) int first,
      @ForAll @IntRange(min = 0, max = 15) int second) {
    MemorySegment codes = Arena.ofAuto().allocate(1);
    codes.set(ValueLayout.JAVA_BYTE, 0, (byte) (first << 4 | second));
    Packed4BitMatrix m =
        new Packed4BitMatrix(
            codes,
            Fixtures.floatsLe(new float[] {2f}),
            Fixtures.NF4,
            1,
            2,
            2,
            ActivationPrecision.F32);
    assertEquals(first, m.code(0));
    assertEquals(second, m.code(1));
    float[] out = new float[1];
    Kernels.backend().matmul(m, new float[] {1f, 0f}, 0, 1, out, 0);
    assertEquals(Fixtures.NF4.get(first) * 2f, out[0]);
  }

  @Property(tries = 50)
  void int8RowIsScaledByScaleOver127(@ForAll @IntRange(min = -127, max = 127) int code) {
    MemorySegment codes = Arena.ofAuto().allocate(1);
    codes.set(ValueLayout.JAVA_BYTE, 0, (byte) code);
    Int8RowMatrix m =
        new Int8RowMatrix(
            codes, Fixtures.floatsLe(new float[] {127f}), 1, 1, ActivationPrecision.F32);
    float[] out = new float[1];
    Kernels.backend().matmul(m, new float[] {3f}, 0, 1, out, 0);
    assertEquals(3f * code, out[0]);
  }
}
