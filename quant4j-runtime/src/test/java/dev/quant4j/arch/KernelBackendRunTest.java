package dev.quant4j.arch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.kernels.Kernels;
import org.junit.jupiter.api.Test;

/**
 * The runtime's tests run once on the backend this JVM picks and once forced to the scalar fallback
 * (see the module's pom): this asserts which one is running, so neither run can silently test the
 * other backend.
 */
class KernelBackendRunTest {
  @Test
  void theExpectedBackendRuns() {
    String expected = System.getProperty("quant4j.kernels.expected", "panama");
    String actual = Kernels.selection().name();
    assertTrue(
        actual.startsWith(expected),
        "expected the "
            + expected
            + " backend, got "
            + actual
            + " ("
            + Kernels.selection().reason()
            + ")");
  }
}
