package dev.quant4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quant4j config} and {@code quant4j presets}: output, exit codes, one-line errors. */
class ConfigAndPresetsCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path file = dir.resolve("quantization_config.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void configPrintsTheNormalizedDict() throws IOException {
    Path file =
        write("{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true, \"x_kept\": 1}");
    CliRun r = CliRun.of("config", "--json", file.toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode dict = MAPPER.readTree(r.out());
    assertEquals(1, r.out().strip().lines().count(), "--json prints one line");
    assertTrue(dict.get("_load_in_4bit").booleanValue());
    assertEquals("fp4", dict.get("bnb_4bit_quant_type").asText(), "defaults are filled");
    assertEquals("float32", dict.get("bnb_4bit_compute_dtype").asText());
    assertEquals(1, dict.get("x_kept").intValue(), "unknown keys are kept");
    assertEquals(14, dict.size());

    CliRun human = CliRun.of("config", file.toString());
    assertEquals(0, human.exit(), human.err());
    assertEquals(dict, MAPPER.readTree(human.out()));
  }

  @Test
  void configAcceptsAWholeConfigJson() throws IOException {
    Path config = TestFiles.requireShared("golden/official/random-1layer-hqq-4bit/config.json");
    CliRun r = CliRun.of("config", "--json", config.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        4, MAPPER.readTree(r.out()).at("/quant_config/weight_quant_params/nbits").intValue());
  }

  @Test
  void invalidConfigIsOneLineNamingFileAndKey() throws IOException {
    Path file = write("{\"quant_method\": \"bitsandbytes\", \"bnb_4bit_quant_type\": \"nf5\"}");
    CliRun r = CliRun.of("config", file.toString());
    assertEquals(1, r.exit());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(file.toString()), r.err());
    assertTrue(r.err().contains("bnb_4bit_quant_type"), r.err());
    assertTrue(r.err().contains("[fp4, nf4]"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    CliRun unknown = CliRun.of("config", write("{\"quant_method\": \"gguf\"}").toString());
    assertEquals(1, unknown.exit());
    assertTrue(
        unknown.err().contains("quant_method") && unknown.err().contains("torchao"), unknown.err());

    CliRun missing = CliRun.of("config", dir.resolve("absent.json").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("absent.json"), missing.err());
  }

  @Test
  void configWithoutFileIsAUsageError() {
    CliRun r = CliRun.of("config");
    assertEquals(2, r.exit());
    assertFalse(r.err().isBlank());
  }

  @Test
  void presetsListsEveryPresetWithItsConfig() throws IOException {
    CliRun r = CliRun.of("presets", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode all = MAPPER.readTree(r.out());
    assertEquals(32, all.size(), "the presets of CLI.md");
    assertEquals("int8", all.at("/quanto-int8-a8/activations").asText());
    assertEquals("float8", all.at("/quanto-int8-afp8/activations").asText());
    assertEquals("mxfp4-pack-quantized", all.at("/ct-mxfp4a16/format").asText());
    assertEquals("nf4", all.at("/bnb-nf4-dq/bnb_4bit_quant_type").asText());
    assertTrue(all.at("/bnb-nf4-dq/bnb_4bit_use_double_quant").booleanValue());
    assertEquals("Int4WeightOnlyConfig", all.at("/torchao-int4/quant_type/default/_type").asText());
    assertEquals("pack-quantized", all.at("/ct-w4a16/format").asText());
    assertEquals("nvfp4-pack-quantized", all.at("/ct-nvfp4a16/format").asText());

    CliRun human = CliRun.of("presets");
    assertEquals(0, human.exit(), human.err());
    assertEquals(all.size(), human.out().strip().lines().count());
    String bitnet =
        human.out().lines().filter(l -> l.startsWith("bitnet ")).findFirst().orElseThrow();
    assertTrue(bitnet.contains("\"linear_class\":\"autobitlinear\""), bitnet);
    assertTrue(bitnet.contains("\"quantization_mode\":\"online\""), bitnet);
  }
}
