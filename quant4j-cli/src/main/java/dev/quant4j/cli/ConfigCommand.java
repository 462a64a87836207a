package dev.quant4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quant4j config [--json] FILE}: validates a {@code quantization_config} JSON file and
 * prints it normalized, every default filled, as transformers' {@code to_dict} would. An invalid
 * config fails (exit 1) through the root command's handler, naming the file and the key.
 */
@Command(
    name = "config",
    description = {
      "Validate a quantization_config JSON file and print it with every default filled.",
      "FILE holds the quantization_config object; a whole config.json is accepted too."
    })
final class ConfigCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print one compact JSON object.")
  boolean json;

  @Parameters(paramLabel = "FILE", description = "A JSON file holding a quantization_config.")
  Path file;

  @Override
  public Integer call() throws JsonProcessingException {
    JsonNode root = BoundedJson.CONFIG.read(file);
    // A model's config.json nests the object; taking it from there saves users a copy step.
    JsonNode quantization =
        root.isObject() && !root.has("quant_method") && root.has("quantization_config")
            ? root.get("quantization_config")
            : root;
    QuantizationConfig config = QuantizationMethods.load().parse(file, quantization);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(config.toDict()));
    } else {
      out.println(
          new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(config.toDict()));
    }
    out.flush();
    return 0;
  }
}
