package dev.quant4j.load;

import dev.quant4j.error.ConfigException;
import dev.quant4j.quantization.QuantizationConfig;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How {@link CausalLm#fromPretrained(java.nio.file.Path, LoadOptions)} loads a model: the
 * quantization to apply while loading (none keeps the checkpoint's own, if it has one), the device
 * map with its memory budget, and the threads the kernels use.
 *
 * @param quantization the config to quantize with; an already quantized checkpoint keeps its own
 *     config (as transformers does for bitsandbytes), and a config of another method is refused
 * @param deviceMap {@code cpu} or {@code auto} (the only device here is the CPU; {@code auto}
 *     checks the model against {@code maxMemory})
 * @param maxMemory bytes the weights may take, refused with the numbers when exceeded
 * @param threads kernel threads; 0 means one per available processor
 */
public record LoadOptions(
    Optional<QuantizationConfig> quantization,
    String deviceMap,
    OptionalLong maxMemory,
    int threads) {

  public LoadOptions {
    if (!deviceMap.equals("cpu") && !deviceMap.equals("auto")) {
      throw new ConfigException(
          null, "device_map", "unknown device map", "one of [cpu, auto]", '"' + deviceMap + '"');
    }
    if (maxMemory.isPresent() && maxMemory.getAsLong() <= 0) {
      throw new ConfigException(
          null, "max_memory", "must be positive", "> 0 bytes", maxMemory.getAsLong());
    }
    if (threads < 0) {
      throw new ConfigException(null, "threads", "must not be negative", ">= 0", threads);
    }
  }

  public static LoadOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The number of kernel threads this resolves to on this machine. */
  public int resolvedThreads() {
    return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
  }

  /** Builder; every setting is optional. */
  public static final class Builder {
    private QuantizationConfig quantization;
    private String deviceMap = "cpu";
    private OptionalLong maxMemory = OptionalLong.empty();
    private int threads;

    private Builder() {}

    public Builder quantization(QuantizationConfig config) {
      this.quantization = config;
      return this;
    }

    public Builder deviceMap(String deviceMap) {
      this.deviceMap = deviceMap;
      return this;
    }

    public Builder maxMemory(long bytes) {
      this.maxMemory = OptionalLong.of(bytes);
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public LoadOptions build() {
      return new LoadOptions(Optional.ofNullable(quantization), deviceMap, maxMemory, threads);
    }
  }
}
