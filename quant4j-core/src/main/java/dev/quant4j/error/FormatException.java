package dev.quant4j.error;

import java.nio.file.Path;

/**
 * A file's bytes do not follow its format: a safetensors header, a shard index, a tensor that is
 * missing, mis-shaped, duplicated or holds NaN where a finite value is needed.
 */
public final class FormatException extends Quant4jException {
  private static final long serialVersionUID = 1L;

  public FormatException(Path file, String item, String problem) {
    this(file, item, problem, null, null, null);
  }

  public FormatException(Path file, String item, String problem, Object expected, Object actual) {
    this(file, item, problem, expected, actual, null);
  }

  public FormatException(
      Path file, String item, String problem, Object expected, Object actual, Throwable cause) {
    super(file, describe(item, problem, expected, actual), cause);
  }
}
