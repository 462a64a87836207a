package dev.quant4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelsSelectionTest {
  private static final Optional<String> USABLE = Optional.empty();
  private static final Optional<String> MISSING = Optional.of("jdk.incubator.vector is absent");

  @Test
  void defaultPrefersPanamaWhenTheModuleIsReadable() {
    Kernels.Selection s = Kernels.select(null, USABLE);
    assertTrue(s.name().startsWith("panama-"), s.name());
    assertTrue(s.reason().startsWith("default"), s.reason());
  }

  @Test
  void propertyForcesScalar() {
    Kernels.Selection s = Kernels.select(" Scalar ", USABLE);
    assertEquals("scalar", s.name());
    assertEquals("quant4j.kernels=scalar", s.reason());
  }

  @Test
  void missingModuleFallsBackAndSaysWhy() {
    Kernels.Selection s = Kernels.select("panama", MISSING);
    assertEquals("scalar", s.name());
    assertTrue(s.reason().contains("absent"), s.reason());
  }

  @Test
  void unknownValueFallsBackNamingIt() {
    Kernels.Selection s = Kernels.select("avx9", USABLE);
    assertEquals("scalar", s.name());
    assertTrue(s.reason().contains("'avx9'"), s.reason());
  }

  @Test
  void theModuleIsReadableInThisTestJvm() {
    assertEquals(Optional.empty(), Kernels.vectorModuleProblem());
  }
}
