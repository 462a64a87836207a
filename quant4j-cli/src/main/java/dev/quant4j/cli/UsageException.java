package dev.quant4j.cli;

/** A command was called wrongly in a way picocli cannot see (exit code 2). */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
