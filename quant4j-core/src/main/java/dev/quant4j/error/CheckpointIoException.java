package dev.quant4j.error;

import java.nio.file.Path;

/**
 * Reading or writing a file failed at the operating-system level (missing, unreadable, disk full,
 * truncated while mapped), as opposed to a file whose contents are wrong.
 */
public final class CheckpointIoException extends Quant4jException {
  private static final long serialVersionUID = 1L;

  public CheckpointIoException(Path file, String problem, Throwable cause) {
    super(
        file,
        problem + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage() : ""),
        cause);
  }
}
