package dev.quant4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quant4j config} and {@code quant4j presets}: output, exit codes, one-line errors. */
class ConfigAndPresetsCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Quant4jCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private Path write(String json) throws IOException {
    Path file = dir.resolve("quantization_config.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void configPrintsTheNormalizedDict() throws IOException {
    Path file =
        write("{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true, \"x_kept\": 1}");
    Result r = run("config", "--json", file.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode dict = MAPPER.readTree(r.out());
    assertEquals(1, r.out().strip().lines().count(), "--json prints one line");
    assertTrue(dict.get("_load_in_4bit").booleanValue());
    assertEquals("fp4", dict.get("bnb_4bit_quant_type").asText(), "defaults are filled");
    assertEquals("float32", dict.get("bnb_4bit_compute_dtype").asText());
    assertEquals(1, dict.get("x_kept").intValue(), "unknown keys are kept");
    assertEquals(14, dict.size());

    Result human = run("config", file.toString());
    assertEquals(0, human.code(), human.err());
    assertEquals(dict, MAPPER.readTree(human.out()));
  }

  @Test
  void configAcceptsAWholeConfigJson() throws IOException {
    Path config = TestFiles.requireShared("golden/official/random-1layer-hqq-4bit/config.json");
    Result r = run("config", "--json", config.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(
        4, MAPPER.readTree(r.out()).at("/quant_config/weight_quant_params/nbits").intValue());
  }

  @Test
  void invalidConfigIsOneLineNamingFileAndKey() throws IOException {
    Path file = write("{\"quant_method\": \"bitsandbytes\", \"bnb_4bit_quant_type\": \"nf5\"}");
    Result r = run("config", file.toString());
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(file.toString()), r.err());
    assertTrue(r.err().contains("bnb_4bit_quant_type"), r.err());
    assertTrue(r.err().contains("[fp4, nf4]"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    Result unknown = run("config", write("{\"quant_method\": \"gguf\"}").toString());
    assertEquals(1, unknown.code());
    assertTrue(
        unknown.err().contains("quant_method") && unknown.err().contains("torchao"), unknown.err());

    Result missing = run("config", dir.resolve("absent.json").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("absent.json"), missing.err());
  }

  @Test
  void configWithoutFileIsAUsageError() {
    Result r = run("config");
    assertEquals(2, r.code());
    assertFalse(r.err().isBlank());
  }

  @Test
  void presetsListsEveryPresetWithItsConfig() throws IOException {
    Result r = run("presets", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode all = MAPPER.readTree(r.out());
    assertEquals(28, all.size(), "the presets of CLI.md");
    assertEquals("nf4", all.at("/bnb-nf4-dq/bnb_4bit_quant_type").asText());
    assertTrue(all.at("/bnb-nf4-dq/bnb_4bit_use_double_quant").booleanValue());
    assertEquals("int4_weight_only", all.at("/torchao-int4/quant_type").asText());
    assertEquals("pack-quantized", all.at("/ct-w4a16/format").asText());

    Result human = run("presets");
    assertEquals(0, human.code(), human.err());
    assertEquals(all.size(), human.out().strip().lines().count());
    String bitnet =
        human.out().lines().filter(l -> l.startsWith("bitnet ")).findFirst().orElseThrow();
    assertTrue(bitnet.contains("\"linear_class\":\"autobitlinear\""), bitnet);
    assertTrue(bitnet.contains("\"quantization_mode\":\"online\""), bitnet);
  }
}
