package dev.quant4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quant4j.safetensors.SafetensorsFile;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate, logits, perplexity, quantize and run through the command line, as scripts use them. */
class ModelCommandsTest {

  static String model() {
    return TestFiles.tinyLlama().toString();
  }

  @Test
  void generateJsonHasPromptIdsGeneratedIdsAndText() throws IOException {
    CliRun r =
        CliRun.of("generate", "-m", model(), "-p", "The jury said that the", "-n", "16", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals(" Court of Justice was not the right to vote.", json.get("text").asText());
    assertEquals(6, json.get("prompt_ids").size());
    assertEquals(
        0,
        json.get("generated_ids").get(json.get("generated_ids").size() - 1).asInt(),
        "ends with eos");
    assertEquals(1, r.out().strip().lines().count(), "stdout holds only the JSON object");
  }

  @Test
  void logitsWritesIdsAndLogits(@TempDir Path tmp) {
    Path out = tmp.resolve("l.safetensors");
    CliRun r = CliRun.of("logits", "-m", model(), "-p", "Hello world", "-o", out.toString());
    assertEquals(0, r.exit(), r.err());
    try (SafetensorsFile f = SafetensorsFile.open(out)) {
      long t = f.tensor("input_ids").numel();
      assertEquals(t * 4096, f.tensor("logits").numel());
      assertEquals("I64", f.tensor("input_ids").dtype().safetensorsName());
    }
  }

  @Test
  void perplexityJsonFollowsTheProtocol(@TempDir Path tmp) throws IOException {
    Path text = tmp.resolve("t.txt");
    Files.writeString(
        text,
        String.join(
            "\n",
            Files.readAllLines(TestFiles.repoRoot().resolve("data/eval.txt")).subList(0, 30)));
    CliRun r =
        CliRun.of("perplexity", "-m", model(), "-f", text.toString(), "--window", "64", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode json = new ObjectMapper().readTree(r.out());
    int windows = json.get("windows").asInt();
    assertTrue(windows > 0);
    assertEquals(windows * 63L, json.get("tokens_predicted").asLong());
    assertEquals(Math.exp(json.get("mean_nll").asDouble()), json.get("ppl").asDouble(), 1e-9);
  }

  @Test
  void quantizeThenPerplexityOfTheSavedFolder(@TempDir Path tmp) throws IOException {
    Path out = tmp.resolve("nf4");
    CliRun q = CliRun.of("quantize", "-m", model(), "-q", "bnb-nf4", "-o", out.toString());
    assertEquals(0, q.exit(), q.err());
    assertTrue(
        Files.readString(out.resolve("config.json"))
            .contains("\"quant_method\" : \"bitsandbytes\""));
    CliRun again = CliRun.of("quantize", "-m", model(), "-q", "bnb-nf4", "-o", out.toString());
    assertEquals(1, again.exit(), "never over an existing checkpoint");
    // The saved folder evaluates exactly as the model quantized while loading.
    Path text = out.resolveSibling("t.txt");
    Files.writeString(
        text,
        String.join(
            "\n",
            Files.readAllLines(TestFiles.repoRoot().resolve("data/eval.txt")).subList(0, 20)));
    CliRun saved =
        CliRun.of(
            "perplexity", "-m", out.toString(), "-f", text.toString(), "--window", "64", "--json");
    CliRun onLoad =
        CliRun.of(
            "perplexity",
            "-m",
            model(),
            "-q",
            "bnb-nf4",
            "-f",
            text.toString(),
            "--window",
            "64",
            "--json");
    assertEquals(0, saved.exit(), saved.err());
    assertEquals(onLoad.out(), saved.out());
    CliRun plain =
        CliRun.of("perplexity", "-m", model(), "-f", text.toString(), "--window", "64", "--json");
    assertTrue(!plain.out().equals(saved.out()), "NF4 must change the figure");
  }

  @Test
  void hugeTokenBudgetsAreBoundedByTheContext() throws IOException {
    CliRun r =
        CliRun.of(
            "generate",
            "-m",
            model(),
            "-p",
            "The jury said that the",
            "-n",
            "2147483647",
            "--json");
    assertEquals(0, r.exit(), r.err());
    assertTrue(new ObjectMapper().readTree(r.out()).get("generated_ids").size() <= 1024);
  }

  @Test
  void logitsNeverOverwriteAFile(@TempDir Path tmp) throws IOException {
    Path existing = Files.writeString(tmp.resolve("keep.safetensors"), "precious");
    CliRun r = CliRun.of("logits", "-m", model(), "-p", "Hello", "-o", existing.toString());
    assertEquals(2, r.exit());
    assertEquals("precious", Files.readString(existing));
  }

  @Test
  void runReportsSizePerplexityAndSpeed() {
    CliRun r =
        CliRun.of(
            "run",
            "-m",
            model(),
            "--eval",
            TestFiles.repoRoot().resolve("data/eval.txt").toString(),
            "--windows",
            "2",
            "-n",
            "8");
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out().contains("smaller")
            && r.out().contains("perplexity")
            && r.out().contains("tokens/s"),
        r.out());
  }

  @Test
  void badInputIsOneLineWithoutStackTrace(@TempDir Path tmp) {
    CliRun r = CliRun.of("generate", "-m", tmp.toString(), "-p", "x");
    assertEquals(1, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(tmp.toString()), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    CliRun spec = CliRun.of("generate", "-m", model(), "-q", "no-such-preset", "-p", "x");
    assertEquals(1, spec.exit());
    assertTrue(spec.err().contains("no-such-preset"), spec.err());
  }

  @Test
  void verboseSaysWhichKernelsRun() {
    CliRun r = CliRun.of("tokenize", "-v", "-t", model(), "Hello");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().startsWith("quant4j: kernels "), r.err());
    assertTrue(CliRun.of("tokenize", "-t", model(), "Hello").err().isEmpty());
  }

  @Test
  void wrongUsageExitsTwo() {
    assertEquals(2, CliRun.of("generate", "-p", "x").exit(), "missing -m");
    assertEquals(2, CliRun.of("perplexity", "-m", model(), "-f", "x", "--window", "1").exit());
    assertEquals(2, CliRun.of("no-such-command").exit());
    assertEquals(2, CliRun.of("generate", "-m", model(), "-p", "x", "--top-p", "0").exit());
    assertEquals(
        2,
        CliRun.of("generate", "-m", model(), "-p", "x", "--sample", "--temperature", "0").exit());
    assertEquals(2, CliRun.of("generate", "-m", model(), "-p", "x", "--threads", "-1").exit());
  }
}
