package dev.quant4j.quantizers.configs;

import static dev.quant4j.quantizers.configs.Dicts.METHODS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.Preset;
import dev.quant4j.quantizers.Presets;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.quantizers.bnb.BitsAndBytesConfig;
import dev.quant4j.quantizers.compressed.CompressedTensorsConfig;
import dev.quant4j.quantizers.hqq.HqqConfig;
import dev.quant4j.quantizers.torchao.TorchAoConfig;
import dev.quant4j.quantizers.torchao.TorchAoQuantType;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PresetsAndGoldenTest {
  private static final Presets PRESETS = Presets.load(METHODS);

  /** The preset names of CLI.md's table, read from it so that none is forgotten. */
  @Test
  void everyPresetOfCliMdExistsAndValidates() throws IOException {
    String cli = Files.readString(TestFiles.requireShared("CLI.md"));
    String table = cli.substring(cli.indexOf("| preset | config |"));
    int seen = 0;
    for (String line : table.substring(0, table.indexOf("\n\n")).split("\n")) {
      if (!line.startsWith("| `")) {
        continue;
      }
      Matcher m = Pattern.compile("`([a-z0-9-]+)`").matcher(line.substring(0, line.indexOf(" | ")));
      while (m.find()) {
        assertTrue(PRESETS.find(m.group(1)).isPresent(), "preset " + m.group(1));
        seen++;
      }
    }
    assertTrue(seen >= 28, "names found in CLI.md: " + seen);
  }

  @Test
  void everyPresetRoundTripsThroughItsMethod() {
    for (Preset p : PRESETS.all()) {
      QuantizationConfig again = METHODS.parse(null, p.toDict());
      assertEquals(p.toDict(), again.toDict(), p.name());
    }
  }

  @Test
  void presetsStandForWhatCliMdSays() {
    BitsAndBytesConfig nf4dq = (BitsAndBytesConfig) PRESETS.find("bnb-nf4-dq").orElseThrow();
    assertTrue(nf4dq.loadIn4bit() && nf4dq.bnb4bitUseDoubleQuant());
    assertEquals("nf4", nf4dq.bnb4bitQuantType());
    HqqConfig hqq2 = (HqqConfig) PRESETS.find("hqq-2bit").orElseThrow();
    assertEquals(2, hqq2.layer().nbits());
    assertEquals(64, hqq2.layer().groupSize());
    TorchAoConfig int4 = (TorchAoConfig) PRESETS.find("torchao-int4").orElseThrow();
    // The object form transformers 5 writes and loads (the legacy strings it refuses to load).
    TorchAoQuantType.AoConfig ao = (TorchAoQuantType.AoConfig) int4.quantType();
    assertEquals("Int4WeightOnlyConfig", ao.type());
    assertEquals(128, ao.data().get("group_size").intValue());
    CompressedTensorsConfig ct = (CompressedTensorsConfig) PRESETS.find("ct-fp8").orElseThrow();
    ObjectNode dict = ct.toDict();
    assertEquals("token", dict.at("/config_groups/group_0/input_activations/strategy").asText());
    assertEquals(List.of("lm_head"), ct.ignore());
    assertEquals(
        "bitsandbytes",
        PRESETS.find("bnb-int8").orElseThrow().toDict().get("quant_method").asText());
  }

  @Test
  void specsResolvePresetsThenFiles(@TempDir Path dir) throws IOException {
    QuantizationSpecs specs = new QuantizationSpecs(METHODS, PRESETS);
    assertEquals(PRESETS.find("fp8").orElseThrow(), specs.resolve("fp8"));
    Path file = dir.resolve("q.json");
    Files.writeString(file, "{\"quant_method\": \"quanto\", \"weights\": \"int4\"}");
    assertEquals(
        PRESETS.find("quanto-int4").orElseThrow().toDict(),
        specs.resolve(file.toString()).toDict());
    ConfigException e = assertThrows(ConfigException.class, () -> specs.resolve("bnb-nf5"));
    assertTrue(e.getMessage().contains("bnb-nf5"), e.getMessage());
    Files.writeString(file, "{\"quant_method\": \"quanto\", \"weights\": \"int3\"}");
    ConfigException bad = assertThrows(ConfigException.class, () -> specs.resolve(file.toString()));
    assertEquals(file, bad.file().orElseThrow());
    assertEquals("weights", bad.key());
  }

  /** The config.json files saved by transformers and hqq: their quantization_config parses. */
  @ParameterizedTest
  @ValueSource(
      strings = {"random-1layer-bnb-int8", "random-1layer-bnb-nf4-dq", "random-1layer-hqq-4bit"})
  void goldenCheckpointConfigsParseAndWriteBackExactly(String model) throws IOException {
    Path file = TestFiles.requireShared("golden/official/" + model + "/config.json");
    JsonNode saved = BoundedJson.CONFIG.read(file).get("quantization_config");
    QuantizationConfig config = METHODS.parse(file, saved);
    // The expected tree through plain Jackson, which reads 6.0 as a double, as toDict writes it.
    JsonNode asSaved = Dicts.obj(Files.readString(file)).get("quantization_config");
    assertEquals(asSaved, config.toDict(), model);
  }
}
