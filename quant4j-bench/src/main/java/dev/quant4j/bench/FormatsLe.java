package dev.quant4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Little-endian layouts and random scale vectors for benchmark set-up. */
final class FormatsLe {
  static final ValueLayout.OfShort SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private FormatsLe() {}

  /** {@code count} positive little-endian floats (scales, absmax). */
  static MemorySegment floats(Arena arena, Random r, int count) {
    MemorySegment s = arena.allocate(count * 4L);
    for (int i = 0; i < count; i++) {
      s.set(FLOAT, i * 4L, 0.1f + r.nextFloat());
    }
    return s;
  }
}
