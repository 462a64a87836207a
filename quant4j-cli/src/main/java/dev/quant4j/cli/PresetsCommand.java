package dev.quant4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.quantization.Support;
import dev.quant4j.quantizers.Preset;
import dev.quant4j.quantizers.Presets;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quant4j presets [--json]}: the preset names and the config each stands for. Presets of
 * methods quant4j cannot run yet are listed too, marked as such.
 */
@Command(name = "presets", description = "List the quantization presets and their configs.")
final class PresetsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--json",
      description = "Print one JSON object: preset name to its full quantization_config.")
  boolean json;

  @Override
  public Integer call() {
    QuantizationMethods methods = QuantizationMethods.load();
    Presets presets = Presets.load(methods);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode all = Json.object();
      presets.all().forEach(p -> all.set(p.name(), p.toDict()));
      out.println(Json.write(all));
    } else {
      int width = presets.names().stream().mapToInt(String::length).max().orElse(0);
      for (Preset p : presets.all()) {
        String method = p.config().quantMethod();
        boolean runs = methods.find(method).map(m -> m.support()).map(Support::any).orElse(false);
        out.printf(
            "%-" + width + "s  %s%s%n",
            p.name(),
            Json.write(p.config().toDiffDict()),
            runs ? "" : "  (not supported yet)");
      }
    }
    out.flush();
    return 0;
  }
}
