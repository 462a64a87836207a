package dev.quant4j.error;

import java.nio.file.Path;

/**
 * A request would exceed a limit: a memory budget ({@code max_memory}), a size bound on a header or
 * a dimension. The message gives the limit and what was asked.
 */
public final class ResourceLimitException extends Quant4jException {
  private static final long serialVersionUID = 1L;

  public ResourceLimitException(
      Path file, String item, String problem, Object limit, Object actual) {
    super(file, describe(item, problem, limit, actual), null);
  }
}
