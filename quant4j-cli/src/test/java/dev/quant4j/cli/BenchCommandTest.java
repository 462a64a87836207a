package dev.quant4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quant4j.load.SyntheticCheckpoint;
import dev.quant4j.quantizers.Preset;
import dev.quant4j.quantizers.QuantizationSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code quant4j bench} on a tiny synthetic model: each method measured in its own JVM. */
class BenchCommandTest {
  static final SyntheticCheckpoint.Dimensions TINY =
      new SyntheticCheckpoint.Dimensions(64, 2, 4, 2, 128, 512, 256, 10000.0, 1e-5);

  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void writeModel() {
    // 512 x 64 bf16 embeddings are 64 KiB: a 100 kB limit gives a sharded checkpoint.
    model = new SyntheticCheckpoint(TINY, 3, 100_000).ensure(tmp.resolve("tiny"));
  }

  static String[] bench(String... extra) {
    return Stream.concat(
            Stream.of("bench", "-m", model.toString(), "--prefill", "8", "--decode", "4"),
            Stream.concat(Stream.of("--warmup", "2", "--bandwidth-mib", "16"), Stream.of(extra)))
        .toArray(String[]::new);
  }

  /** A preset whose method cannot quantize on load yet, if there still is one. */
  static Optional<String> unsupportedPreset() {
    QuantizationSpecs specs = QuantizationSpecs.load();
    return specs.presets().all().stream()
        .filter(
            p ->
                specs
                    .methods()
                    .find(p.config().quantMethod())
                    .map(m -> !m.support().quantizeOnLoad())
                    .orElse(false))
        .map(Preset::name)
        .findFirst();
  }

  @Test
  void jsonHasModelMachineAndOneRowPerMethodInOrder() throws IOException {
    CliRun r = CliRun.of(bench("--methods", "bf16,bnb-nf4", "--json"));
    assertEquals(0, r.exit(), r.err());
    assertEquals(1, r.out().strip().lines().count(), "stdout holds only the JSON object");
    JsonNode json = new ObjectMapper().readTree(r.out());

    JsonNode m = json.get("model");
    assertEquals(model.toAbsolutePath().toString(), m.get("path").asText());
    assertEquals(TINY.parameterCount(), m.get("params").asLong());
    long largest = 0;
    try (Stream<Path> files = Files.list(model)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
        largest = Math.max(largest, Files.size(f));
      }
    }
    assertEquals(largest, m.get("largest_shard_bytes").asLong());
    assertTrue(largest < 2 * TINY.parameterCount(), "the checkpoint is sharded");

    assertEquals(Runtime.getRuntime().availableProcessors(), json.at("/machine/cores").asInt());
    assertTrue(json.at("/machine/read_bandwidth_gbps").asDouble() > 0);

    JsonNode rows = json.get("results");
    assertEquals(2, rows.size());
    JsonNode bf16 = rows.get(0);
    JsonNode nf4 = rows.get(1);
    assertEquals("bf16", bf16.get("method").asText());
    assertEquals("bnb-nf4", nf4.get("method").asText());
    for (JsonNode row : rows) {
      assertFalse(row.has("error"), row.toString());
      assertTrue(row.get("load_s").asDouble() > 0, row.toString());
      assertTrue(row.get("prefill_tok_s").asDouble() > 0, row.toString());
      assertTrue(row.get("decode_tok_s").asDouble() > 0, row.toString());
      if (Files.isReadable(Path.of("/proc/self/status"))) {
        // The worker's own JVM is far larger than this model's weights.
        assertTrue(row.get("peak_rss_bytes").asLong() > row.get("bytes").asLong(), row.toString());
      }
    }
    // Unquantized bf16: 2 bytes per parameter (norm weights may be kept as float32, a few bytes
    // more); NF4 packs the linear layers about 4x smaller.
    long bf16Bytes = bf16.get("bytes").asLong();
    assertTrue(
        bf16Bytes >= 2 * TINY.parameterCount() && bf16Bytes < 2.05 * TINY.parameterCount(),
        bf16.toString());
    assertTrue(nf4.get("bytes").asLong() < bf16.get("bytes").asLong() * 3 / 4, nf4.toString());
  }

  @Test
  void aMethodNotSupportedYetIsARowNotAFailure() throws IOException {
    Optional<String> unsupported = unsupportedPreset();
    assumeTrue(unsupported.isPresent(), "every preset quantizes on load now");
    CliRun r = CliRun.of(bench("--methods", "bnb-int8," + unsupported.get()));
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().lines().toArray(String[]::new);
    String int8 = Stream.of(lines).filter(l -> l.startsWith("bnb-int8 ")).findFirst().orElseThrow();
    assertTrue(int8.matches(".*\\d+\\.\\d+ s .*"), int8);
    String row =
        Stream.of(lines)
            .filter(l -> l.startsWith(unsupported.get() + " "))
            .findFirst()
            .orElseThrow();
    assertTrue(row.contains("not supported yet"), row);
    assertTrue(r.out().contains("memory read bandwidth"), r.out());
  }

  @Test
  void anUnknownMethodFailsBeforeAnyWorkerRuns() {
    CliRun r = CliRun.of(bench("--methods", "bf16,no-such-preset"));
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("no-such-preset"), r.err());
    assertFalse(r.err().contains("fresh JVM"), r.err());
  }

  @Test
  void badNumbersAreUsageErrors() {
    assertEquals(2, CliRun.of(bench("--decode", "0")).exit());
    assertEquals(2, CliRun.of(bench("--shard-size", "12XB")).exit());
  }

  @Test
  void shardSizesReadAsTransformersReadsThem() {
    var c = new BenchCommand.SizeConverter();
    assertEquals(1_000_000_000L, c.convert("1GB"));
    assertEquals(500_000_000L, c.convert("500mb"));
    assertEquals(2L << 30, c.convert("2GiB"));
    assertEquals(4096L, c.convert("4096"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("0"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("99999999999GB"));
  }

  @Test
  void workerCommandRelaunchesThisJvmOnMain() {
    var cmd = BenchLauncher.command(java.util.List.of("bench", "--worker", "bf16"));
    assertTrue(cmd.contains(Main.class.getName()), cmd.toString());
    assertEquals(
        java.util.List.of("bench", "--worker", "bf16"), cmd.subList(cmd.size() - 3, cmd.size()));
    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    assertEquals(
        vector, cmd.stream().anyMatch(a -> a.contains("jdk.incubator.vector")), cmd.toString());
    assertTrue(cmd.stream().noneMatch(a -> a.startsWith("-agentlib:jdwp")), cmd.toString());
  }
}
