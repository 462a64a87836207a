package dev.quant4j.cli;

import dev.quant4j.eval.Perplexity;
import dev.quant4j.eval.PerplexityResult;
import dev.quant4j.load.CausalLm;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quant4j perplexity}: the perplexity protocol of CLI.md over a text file. */
@Command(
    name = "perplexity",
    description = "Perplexity of a text file: windows of L tokens, lines joined by eos.")
final class PerplexityCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions model;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "UTF-8 text, one passage per line.")
  Path file;

  @Option(
      names = "--window",
      paramLabel = "L",
      defaultValue = "256",
      description = "Window length in tokens (default ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--json",
      description = "Print {\"ppl\", \"mean_nll\", \"windows\", \"tokens_predicted\"} only.")
  boolean json;

  @Override
  public Integer call() {
    if (window < 2) {
      throw new UsageException("--window must be at least 2, got " + window);
    }
    try (CausalLm lm = model.load()) {
      int eos = eosId(lm);
      int[] tokens = Perplexity.encodeLines(lm.tokenizer(), file, eos);
      PerplexityResult r = Perplexity.evaluate(lm.model(), tokens, window, done -> {});
      if (json) {
        var node = Json.object();
        node.put("ppl", r.ppl());
        node.put("mean_nll", r.meanNll());
        node.put("windows", r.windows());
        node.put("tokens_predicted", r.tokensPredicted());
        spec.commandLine().getOut().println(Json.write(node));
      } else {
        spec.commandLine()
            .getOut()
            .printf(
                java.util.Locale.ROOT,
                "perplexity %.4f (mean nll %.6f) over %d windows of %d tokens, %d predicted, in %.1f s%n",
                r.ppl(),
                r.meanNll(),
                r.windows(),
                window,
                r.tokensPredicted(),
                r.time().toNanos() / 1e9);
      }
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  static int eosId(CausalLm lm) {
    var eos = lm.defaultGenerationOptions().eosTokenIds();
    if (eos.isEmpty()) {
      throw new dev.quant4j.error.ConfigException(
          lm.directory().resolve("config.json"),
          "eos_token_id",
          "the perplexity protocol needs an eos token id");
    }
    return eos.getFirst();
  }
}
