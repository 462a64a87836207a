package dev.quant4j.load;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a load did: per weight, how it is stored and how many bytes it takes, and the totals.
 *
 * @param quantMethod the method applied or found, empty for a float model
 * @param preQuantized whether the checkpoint was already quantized
 * @param weights one entry per parameter tensor of the model
 * @param loadTime wall-clock time of {@code fromPretrained}
 */
public record LoadReport(
    Optional<String> quantMethod,
    boolean preQuantized,
    List<WeightEntry> weights,
    Duration loadTime) {

  public LoadReport {
    weights = List.copyOf(weights);
  }

  /**
   * One parameter.
   *
   * @param name transformers' parameter name
   * @param format how it is stored ({@code BF16}, {@code nf4}, {@code int8}…)
   * @param quantized whether the quantizer converted it
   * @param bytes bytes it occupies for inference
   */
  public record WeightEntry(String name, String format, boolean quantized, long bytes) {}

  public long totalBytes() {
    return weights.stream().mapToLong(WeightEntry::bytes).sum();
  }

  public long quantizedCount() {
    return weights.stream().filter(WeightEntry::quantized).count();
  }

  public List<String> skipped() {
    return weights.stream().filter(w -> !w.quantized()).map(WeightEntry::name).toList();
  }
}
