package dev.quant4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find their data: the repository's own {@code models/} and {@code testdata/} (always
 * present) and {@code ../shared} (present in CI and on developer machines, absent in a user's
 * clone; tests that need it are skipped with a message saying so).
 */
public final class TestFiles {
  private TestFiles() {}

  /** The repository root (set by the build, else found from the working directory). */
  public static Path repoRoot() {
    String prop = System.getProperty("quant4j.root");
    if (prop != null && Files.isDirectory(Path.of(prop, "models"))) {
      return Path.of(prop);
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("models/tiny-llama"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root (models/tiny-llama)");
    }
    return dir;
  }

  /** The embedded default model, always in the repository. */
  public static Path tinyLlama() {
    return repoRoot().resolve("models/tiny-llama");
  }

  /** A file under the repository's testdata folder. */
  public static Path testdata(String relative) {
    return repoRoot().resolve("testdata").resolve(relative);
  }

  /** ../shared when it exists. */
  public static Optional<Path> shared() {
    String prop = System.getProperty("quant4j.shared");
    Path p = prop != null ? Path.of(prop) : repoRoot().resolve("../shared");
    return Files.isDirectory(p) ? Optional.of(p.normalize()) : Optional.empty();
  }

  /**
   * Skips the calling test, saying why on the console too: Surefire's summary only counts skips.
   */
  private static void skip(String why) {
    System.err.println("SKIPPED: " + why);
    Assumptions.abort("SKIPPED: " + why);
  }

  /**
   * A file under ../shared, or the test is skipped (JUnit reports it as skipped, with this reason)
   * when ../shared or the file is absent.
   */
  public static Path requireShared(String relative) {
    Optional<Path> root = shared();
    if (root.isEmpty()) {
      skip("../shared is not present, so the test on " + relative + " does not run");
    }
    Path p = root.get().resolve(relative);
    if (!Files.exists(p)) {
      skip(p + " is missing");
    }
    return p;
  }
}
