package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * The backend this suite actually ran with (jvector's lesson: a suite must not silently test the
 * fallback). Surefire runs twice, setting {@code quant4j.kernels.expected} to the backend family
 * each execution must get.
 */
class SelectedBackendTest {
  @Test
  void theExpectedBackendWasChosen() {
    String expected = System.getProperty("quant4j.kernels.expected", "panama");
    String name = Kernels.backend().name();
    String family = name.startsWith("panama-") ? "panama" : name;
    assertEquals(expected, family, "selection: " + Kernels.selection().reason());
    assertSame(Kernels.backend(), Kernels.backend(), "chosen once");
  }
}
