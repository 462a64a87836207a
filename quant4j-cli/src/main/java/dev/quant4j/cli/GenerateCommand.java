package dev.quant4j.cli;

import dev.quant4j.generation.GenerationOptions;
import dev.quant4j.generation.GenerationResult;
import dev.quant4j.generation.TextListener;
import dev.quant4j.load.CausalLm;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quant4j generate}: greedy (or, on request, sampled) generation from a prompt. */
@Command(name = "generate", description = "Generate text from a prompt (greedy unless --sample).")
final class GenerateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions model;

  @Option(
      names = {"-p", "--prompt"},
      required = true,
      paramLabel = "TEXT",
      description = "The prompt.")
  String prompt;

  @Option(
      names = {"-n", "--max-new-tokens"},
      paramLabel = "N",
      defaultValue = "64",
      description = "Most new tokens (default ${DEFAULT-VALUE}); stops earlier at eos.")
  int maxNewTokens;

  @Option(
      names = "--json",
      description = "Print {\"prompt_ids\", \"generated_ids\", \"text\"} only.")
  boolean json;

  @Option(names = "--sample", description = "Sample instead of greedy decoding.")
  boolean sample;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      defaultValue = "1.0",
      description = "Sampling temperature (default ${DEFAULT-VALUE}).")
  double temperature;

  @Option(
      names = "--top-k",
      paramLabel = "K",
      defaultValue = "50",
      description = "Top-k filter, 0 disables (default ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--top-p",
      paramLabel = "P",
      defaultValue = "1.0",
      description = "Nucleus filter (default ${DEFAULT-VALUE}).")
  double topP;

  @Option(
      names = "--min-p",
      paramLabel = "P",
      defaultValue = "0",
      description = "Min-p filter, 0 disables (default ${DEFAULT-VALUE}).")
  double minP;

  @Option(
      names = "--repetition-penalty",
      paramLabel = "R",
      defaultValue = "1.0",
      description = "Repetition penalty (default ${DEFAULT-VALUE}).")
  double repetitionPenalty;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the sampler.")
  Long seed;

  @Option(
      names = "--stop",
      paramLabel = "TEXT",
      description = "Stop once the new text contains TEXT (repeatable).")
  List<String> stop = List.of();

  @Override
  public Integer call() {
    if (maxNewTokens < 0) {
      throw new UsageException("-n must be >= 0, got " + maxNewTokens);
    }
    try {
      // Checked before the model loads: a bad option value is wrong usage (exit 2), not bad input.
      withOptions(GenerationOptions.builder()).build();
    } catch (dev.quant4j.error.ConfigException e) {
      throw new UsageException("invalid option: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    try (CausalLm lm = model.load()) {
      GenerationOptions.Builder b = withOptions(lm.defaultGenerationOptions().toBuilder());
      TextListener listener =
          json
              ? TextListener.NONE
              : text -> {
                out.print(text);
                out.flush();
              };
      if (!json) {
        out.print(prompt);
        out.flush();
      }
      GenerationResult r = lm.generate(prompt, b.build(), listener);
      if (json) {
        var node = Json.object();
        node.set("prompt_ids", Json.ints(r.promptIds()));
        node.set("generated_ids", Json.ints(r.generatedIds()));
        node.put("text", r.text());
        out.println(Json.write(node));
      } else {
        out.println();
        spec.commandLine()
            .getErr()
            .printf(
                java.util.Locale.ROOT,
                "[%d prompt + %d new tokens, prefill %.0f ms, decode %.1f tokens/s, stop: %s]%n",
                r.promptIds().length,
                r.generatedIds().length,
                r.prefillTime().toNanos() / 1e6,
                r.decodeTokensPerSecond(),
                r.stopReason().name().toLowerCase(java.util.Locale.ROOT));
      }
      out.flush();
    }
    return 0;
  }

  /** The command's options over {@code b} (the model's generation_config defaults, or none). */
  private GenerationOptions.Builder withOptions(GenerationOptions.Builder b) {
    b.maxNewTokens(maxNewTokens)
        .doSample(sample)
        .temperature(temperature)
        .topK(topK)
        .topP(topP)
        .minP(minP)
        .repetitionPenalty(repetitionPenalty)
        .stopStrings(stop);
    if (seed != null) {
      b.seed(seed);
    }
    return b;
  }
}
