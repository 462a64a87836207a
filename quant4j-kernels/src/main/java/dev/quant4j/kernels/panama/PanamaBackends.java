package dev.quant4j.kernels.panama;

import dev.quant4j.kernels.KernelBackend;
import jdk.incubator.vector.FloatVector;

/**
 * Creates Panama backends. Only {@code dev.quant4j.kernels.Kernels} touches this class, and only
 * once it knows {@code jdk.incubator.vector} is readable, so no Vector API class is loaded on a JVM
 * without it. Its signatures mention no Vector API type for the same reason.
 */
public final class PanamaBackends {
  /** Narrower vectors than this lose to the scalar loops once lane shuffling is paid for. */
  public static final int MIN_BITS = 128;

  private PanamaBackends() {}

  /** A backend, or null with the reason in {@code detail}. */
  public record Attempt(KernelBackend backend, String detail) {}

  /** The backend at this machine's preferred float vector width, if that is wide enough. */
  public static Attempt preferred() {
    int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    if (bits < MIN_BITS) {
      return new Attempt(
          null, "the preferred vector width is " + bits + " bits (need at least " + MIN_BITS + ")");
    }
    return new Attempt(
        new PanamaBackend(bits),
        "jdk.incubator.vector readable, preferred width " + bits + " bits");
  }

  /**
   * A backend at a forced width (128, 256 or 512 bits) whatever the hardware prefers, so every path
   * can be tested on any machine; widths the CPU lacks run correctly but slowly. Meant for tests: a
   * JVM that instantiates several widths runs all of them correctly but without intrinsics (see
   * {@code Lanes}).
   */
  public static KernelBackend withBitSize(int bits) {
    return new PanamaBackend(bits);
  }
}
