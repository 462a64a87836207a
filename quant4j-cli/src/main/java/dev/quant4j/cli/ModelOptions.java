package dev.quant4j.cli;

import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadOptions;
import dev.quant4j.quantizers.QuantizationSpecs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every model-running command shares: the model folder and an optional quantization.
 */
final class ModelOptions {
  @Option(
      names = {"-m", "--model"},
      required = true,
      paramLabel = "DIR",
      description = "Hugging Face model folder.")
  Path model;

  @Option(
      names = {"-q", "--quantization"},
      paramLabel = "SPEC",
      description =
          "Quantize while loading: a preset name (see `quant4j presets`) or a quantization_config JSON file.")
  String quantization;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Kernel threads (default: one per core).")
  int threads;

  LoadOptions loadOptions() {
    if (threads < 0) {
      throw new UsageException("--threads must be >= 0 (0: one per core), got " + threads);
    }
    LoadOptions.Builder b = LoadOptions.builder().threads(threads);
    if (quantization != null) {
      b.quantization(QuantizationSpecs.load().resolve(quantization));
    }
    return b.build();
  }

  CausalLm load() {
    return CausalLm.fromPretrained(model, loadOptions());
  }
}
