package dev.quant4j.load;

import dev.quant4j.quantizers.QuantizationSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link PeakMemoryTest}: loads a model quantized on the fly and prints
 * "rssBefore rssPeak quantizedBytes" in bytes, read from /proc/self/status, so the test sees the
 * load's own peak resident memory, mapped shards included.
 */
public final class PeakMemoryProbe {
  private PeakMemoryProbe() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    var config = QuantizationSpecs.load().resolve(args[1]);
    System.gc();
    long before = status("VmRSS");
    resetPeak();
    long quantized;
    try (CausalLm lm =
        CausalLm.fromPretrained(
            dir, LoadOptions.builder().quantization(config).threads(1).build())) {
      quantized = lm.loadReport().totalBytes();
    }
    System.out.println(before + " " + status("VmHWM") + " " + quantized);
  }

  /** Linux: writing 5 to clear_refs resets VmHWM to the current RSS. */
  private static void resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException e) {
      // not resettable here: the peak then includes JVM start-up, which only makes the bound looser
    }
  }

  static long status(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException(key + " not in /proc/self/status");
  }
}
