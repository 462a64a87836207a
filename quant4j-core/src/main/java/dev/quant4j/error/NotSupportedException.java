package dev.quant4j.error;

import java.nio.file.Path;

/**
 * A valid request that quant4j does not implement (yet): an architecture, a quantization method or
 * one of its options. Never answered with approximate numbers instead.
 */
public final class NotSupportedException extends Quant4jException {
  private static final long serialVersionUID = 1L;

  public NotSupportedException(String what) {
    this(null, what);
  }

  public NotSupportedException(Path file, String what) {
    super(file, what + " is not supported yet", null);
  }
}
