package dev.quant4j.kernels;

import dev.quant4j.kernels.panama.PanamaBackends;
import dev.quant4j.kernels.scalar.ScalarBackend;
import java.util.Locale;
import java.util.Optional;

/**
 * The kernel backend of this JVM, chosen once on first use: Panama when {@code
 * jdk.incubator.vector} is readable and its preferred float species has at least 128 bits, else the
 * scalar reference. The system property {@value #PROPERTY} ({@code scalar} or {@code panama})
 * overrides the choice. Nothing is printed: callers (the CLI) log {@link Selection#name()} and
 * {@link Selection#reason()}.
 */
public final class Kernels {
  /** System property forcing a backend: {@code scalar} or {@code panama}. */
  public static final String PROPERTY = "quant4j.kernels";

  static final String VECTOR_MODULE = "jdk.incubator.vector";

  private Kernels() {}

  /** A backend and why it was chosen. */
  public record Selection(KernelBackend backend, String reason) {
    /** The backend's name. */
    public String name() {
      return backend.name();
    }
  }

  // Initialization-on-demand holder: the choice is made once, lazily, without locking.
  private static final class Holder {
    static final Selection SELECTION = select(System.getProperty(PROPERTY), vectorModuleProblem());
  }

  /** The backend every caller should use. */
  public static KernelBackend backend() {
    return Holder.SELECTION.backend();
  }

  /** The backend and the reason for choosing it, for logging. */
  public static Selection selection() {
    return Holder.SELECTION;
  }

  /**
   * The selection rule, apart from the JVM's state so tests can drive it.
   *
   * @param requested the value of {@value #PROPERTY}, or null
   * @param vectorProblem why the Vector API cannot be used, or empty when it can
   */
  static Selection select(String requested, Optional<String> vectorProblem) {
    String wanted = requested == null ? "" : requested.strip().toLowerCase(Locale.ROOT);
    String scalarWhy;
    switch (wanted) {
      case "scalar" -> {
        return new Selection(new ScalarBackend(), PROPERTY + "=scalar");
      }
      case "", "panama" -> {
        String origin = wanted.isEmpty() ? "default" : PROPERTY + "=panama";
        if (vectorProblem.isPresent()) {
          scalarWhy = origin + ", but " + vectorProblem.get();
        } else {
          PanamaBackends.Attempt attempt = PanamaBackends.preferred();
          if (attempt.backend() != null) {
            return new Selection(attempt.backend(), origin + ": " + attempt.detail());
          }
          scalarWhy = origin + ", but " + attempt.detail();
        }
      }
      default ->
          scalarWhy =
              "unknown "
                  + PROPERTY
                  + "='"
                  + requested
                  + "' (expected scalar or panama); using the fallback";
    }
    return new Selection(new ScalarBackend(), scalarWhy);
  }

  /** Why the Vector API module is unusable from here, if it is. */
  static Optional<String> vectorModuleProblem() {
    Optional<Module> vector = ModuleLayer.boot().findModule(VECTOR_MODULE);
    if (vector.isEmpty()) {
      return Optional.of(
          VECTOR_MODULE
              + " is not in the boot layer (start java with --add-modules "
              + VECTOR_MODULE
              + ")");
    }
    if (!Kernels.class.getModule().canRead(vector.get())) {
      return Optional.of(Kernels.class.getModule() + " does not read " + VECTOR_MODULE);
    }
    return Optional.empty();
  }
}
