package dev.quant4j.error;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The root of quant4j's errors. Subtypes say what kind of input was wrong; each carries the file it
 * concerns (when there is one) and a message that already names the tensor or key and gives the
 * expected and actual values.
 */
public abstract sealed class Quant4jException extends RuntimeException
    permits FormatException,
        ConfigException,
        NotSupportedException,
        CheckpointIoException,
        ResourceLimitException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  protected Quant4jException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /** The file this error concerns, if any. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** The message as one line for a user: the file first, then what is wrong. */
  public String userMessage() {
    String msg = getMessage();
    return file == null ? msg : file + ": " + msg;
  }

  /** Formats "what: problem (expected X, actual Y)" consistently across the error types. */
  protected static String describe(String item, String problem, Object expected, Object actual) {
    StringBuilder sb = new StringBuilder();
    if (item != null) {
      sb.append(item).append(": ");
    }
    sb.append(problem);
    if (expected != null || actual != null) {
      sb.append(" (expected ").append(expected).append(", actual ").append(actual).append(')');
    }
    return sb.toString();
  }
}
