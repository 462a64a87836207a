package dev.quant4j.cli;

import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quant4j quantize}: load, quantize on the fly, save a checkpoint transformers loads. */
@Command(
    name = "quantize",
    description =
        "Quantize a model folder and save it to a new folder (atomically, never over the input).")
final class QuantizeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions model;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUTDIR",
      description = "New folder for the quantized checkpoint.")
  Path output;

  @Override
  public Integer call() {
    if (model.quantization == null) {
      throw new UsageException(
          "quantize needs -q SPEC (a preset name or a quantization_config JSON file)");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (CausalLm lm = model.load()) {
      lm.savePretrained(output);
      LoadReport r = lm.loadReport();
      out.printf(
          Locale.ROOT,
          "saved %s: %s, %d of %d weights quantized, %.2f MB of weights (quantized in %.2f s)%n",
          output,
          r.quantMethod().orElse("unquantized"),
          r.quantizedCount(),
          r.weights().size(),
          r.totalBytes() / 1e6,
          r.loadTime().toNanos() / 1e9);
      out.flush();
    }
    return 0;
  }
}
