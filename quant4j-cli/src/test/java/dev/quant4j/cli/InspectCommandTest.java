package dev.quant4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir Path dir;

  @Test
  void aBadPathInTheMiddleDoesNotStopTheOthers() throws IOException {
    // Runs without ../shared: the embedded model on both sides of a bad file.
    Path bad = Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
    CliRun r =
        CliRun.of(
            "inspect",
            "--json",
            TestFiles.tinyLlama().toString(),
            bad.toString(),
            TestFiles.tinyLlama().toString());
    assertEquals(1, r.exit());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    assertTrue(BoundedJson.CONFIG.parse(null, lines.get(0)).get("ok").asBoolean());
    JsonNode failed = BoundedJson.CONFIG.parse(null, lines.get(1));
    assertFalse(failed.get("ok").asBoolean());
    assertTrue(failed.has("files") && failed.get("files").isNull(), "same keys on failure");
    assertTrue(BoundedJson.CONFIG.parse(null, lines.get(2)).get("ok").asBoolean());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void jsonForBothModelsAndABadFileAfterCheckingAll() throws IOException {
    Path small = TestFiles.requireShared("models/small-llama");
    Path bad =
        Files.write(
            dir.resolve("bad.safetensors"),
            "version https://git-lfs.github.com/spec/v1\n".getBytes(StandardCharsets.US_ASCII));
    CliRun r =
        CliRun.of(
            "inspect",
            "--json",
            TestFiles.tinyLlama().toString(),
            bad.toString(),
            small.toString());
    assertEquals(1, r.exit());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    JsonNode tiny = BoundedJson.CONFIG.parse(null, lines.get(0));
    assertTrue(tiny.get("ok").asBoolean());
    assertTrue(tiny.get("error").isNull());
    assertTrue(tiny.get("quantization").isNull());
    assertTrue(tiny.get("tensors").asInt() > 50);
    assertEquals(tiny.get("tensors").asInt(), tiny.get("dtypes").get("BF16").asInt());
    // 6.82 M parameters of 2 bytes each
    long bytes = tiny.get("bytes").asLong();
    assertTrue(bytes > 13_000_000 && bytes < 14_000_000, "bytes " + bytes);
    JsonNode failed = BoundedJson.CONFIG.parse(null, lines.get(1));
    assertFalse(failed.get("ok").asBoolean());
    assertTrue(failed.get("error").asText().contains("Git LFS pointer"));
    JsonNode sharded = BoundedJson.CONFIG.parse(null, lines.get(2));
    assertTrue(sharded.get("ok").asBoolean());
    assertEquals(3, sharded.get("files").asInt());
    List<String> errors = r.err().lines().toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.getFirst().contains(bad.toString()));
    assertFalse(r.err().contains("\tat "));
  }

  @Test
  void humanOutputListsTensorsAndQuantization() throws IOException {
    Path model = Files.createDirectory(dir.resolve("m"));
    Files.copy(
        TestFiles.tinyLlama().resolve("model.safetensors"), model.resolve("model.safetensors"));
    Files.writeString(
        model.resolve("config.json"),
        "{\"quantization_config\":{\"quant_method\":\"bitsandbytes\"}}");
    CliRun r = CliRun.of("inspect", model.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("quantization: bitsandbytes"), r.out());
    assertTrue(r.out().contains("model.embed_tokens.weight"));
    assertTrue(r.out().contains("[4096, 256]"));
    assertEquals("", r.err());
  }

  @Test
  void missingPathIsBadInputAndNoPathIsUsage() {
    CliRun missing = CliRun.of("inspect", dir.resolve("nope.safetensors").toString());
    assertEquals(1, missing.exit());
    assertTrue(
        missing.err().contains("nope.safetensors") && missing.err().contains("not found"),
        missing.err());
    assertEquals(2, CliRun.of("inspect").exit());
  }
}
