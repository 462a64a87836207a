package dev.quant4j.cli;

import dev.quant4j.eval.Perplexity;
import dev.quant4j.eval.PerplexityResult;
import dev.quant4j.generation.GenerationResult;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadOptions;
import dev.quant4j.quantizers.QuantizationSpecs;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quant4j run}: the main job on the embedded default model (the project's copy of
 * tiny-llama): load it quantized on the fly, generate from a prompt, and report size and perplexity
 * against the unquantized model, load time and speed.
 */
@Command(
    name = "run",
    description =
        "Quantize the embedded tiny-llama while loading it, generate, and compare it with the unquantized model.")
final class RunCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-q", "--quantization"},
      paramLabel = "SPEC",
      defaultValue = "bnb-nf4",
      description = "Preset or quantization_config file (default ${DEFAULT-VALUE}).")
  String quantization;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "DIR",
      description = "Model folder (default: the embedded tiny-llama).")
  Path model;

  @Option(
      names = "--eval",
      paramLabel = "FILE",
      description = "Perplexity text (default: the embedded data/eval.txt).")
  Path evalFile;

  @Option(
      names = {"-p", "--prompt"},
      paramLabel = "TEXT",
      defaultValue = "The jury said that the",
      description = "Prompt (default \"${DEFAULT-VALUE}\").")
  String prompt;

  @Option(
      names = {"-n", "--max-new-tokens"},
      paramLabel = "N",
      defaultValue = "32",
      description = "New tokens (default ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(
      names = "--windows",
      paramLabel = "N",
      defaultValue = "40",
      description =
          "Perplexity windows of 256 tokens from the embedded eval text (default ${DEFAULT-VALUE}; 0 for all).")
  int windows;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = model != null ? model : home().resolve("models/tiny-llama");
    Path evalText = evalFile != null ? evalFile : home().resolve("data/eval.txt");
    var quant = QuantizationSpecs.load().resolve(quantization);
    out.printf(
        "quant4j run: %s, quantized with %s on load (kernels: %s)%n",
        dir, quantization, Kernels.selection().name());

    Measured reference;
    try (CausalLm lm = CausalLm.fromPretrained(dir)) {
      reference = measure(lm, evalText);
    }
    Measured quantized;
    GenerationResult generated;
    try (CausalLm lm =
        CausalLm.fromPretrained(dir, LoadOptions.builder().quantization(quant).build())) {
      quantized = measure(lm, evalText);
      var options =
          lm.defaultGenerationOptions().toBuilder()
              .maxNewTokens(maxNewTokens)
              .doSample(false)
              .build();
      lm.generate(prompt, options); // warm-up, so the figure below is steady-state speed
      generated = lm.generate(prompt, options);
    }
    out.printf("%nprompt:    %s%ngenerated: %s%n%n", prompt, generated.text());
    out.printf("%-12s %12s %10s %12s%n", "", "weights", "load", "perplexity");
    row(out, "unquantized", reference);
    row(out, quantization, quantized);
    out.printf(
        Locale.ROOT,
        "%nsize %.2fx smaller; perplexity %+.2f%% (%d windows of 256 tokens of %s)%n",
        (double) reference.bytes / quantized.bytes,
        100 * (quantized.ppl.ppl() / reference.ppl.ppl() - 1),
        quantized.ppl.windows(),
        evalText.getFileName());
    out.printf(
        Locale.ROOT,
        "speed (%s): prefill %d tokens in %.1f ms, decode %.1f tokens/s%n",
        quantization,
        generated.promptIds().length,
        generated.prefillTime().toNanos() / 1e6,
        generated.decodeTokensPerSecond());
    out.flush();
    return 0;
  }

  private record Measured(long bytes, double loadSeconds, PerplexityResult ppl) {}

  private Measured measure(CausalLm lm, Path evalText) {
    int[] tokens = Perplexity.encodeLines(lm.tokenizer(), evalText, PerplexityCommand.eosId(lm));
    if (windows > 0) {
      tokens =
          Arrays.copyOf(
              tokens, (int) Math.min(tokens.length, (long) windows * Perplexity.DEFAULT_WINDOW));
    }
    PerplexityResult ppl =
        Perplexity.evaluate(lm.model(), tokens, Perplexity.DEFAULT_WINDOW, done -> {});
    return new Measured(lm.model().weightBytes(), lm.loadReport().loadTime().toNanos() / 1e9, ppl);
  }

  private static void row(PrintWriter out, String name, Measured m) {
    out.printf(
        Locale.ROOT,
        "%-12s %9.2f MB %8.0f ms %12.3f%n",
        name,
        m.bytes / 1e6,
        m.loadSeconds * 1000,
        m.ppl.ppl());
  }

  /** The project folder: set by the launcher, else the working directory. */
  private static Path home() {
    String prop = System.getProperty("quant4j.home");
    Path p = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath();
    if (!Files.isDirectory(p.resolve("models/tiny-llama"))) {
      throw new UsageException(
          "cannot find the embedded model models/tiny-llama under " + p + "; pass -m DIR");
    }
    return p;
  }
}
