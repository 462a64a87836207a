package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.TensorData;
import dev.quant4j.tensor.Shape;
import dev.quant4j.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quantize-on-load keeps peak memory near the quantized model plus one shard: a 240 MB bf16
 * checkpoint in 12 shards loads with each method in a child JVM whose heap is capped below the
 * float model (a weight holding a float copy, or its codes twice, runs out of heap), and whose
 * resident peak (mapped shards included) grows by less than the quantized size plus the largest
 * shard plus a 48 MB allowance for float copies of one weight and the JVM's own growth.
 */
class PeakMemoryTest {
  @TempDir static Path tmp;
  private static Path model;
  static final int HIDDEN = 1024;
  static final int INTER = 2816;
  static final int LAYERS = 8;
  static final int VOCAB = 4096;

  @BeforeAll
  static void writeModel() throws IOException {
    model = writeSyntheticModel(tmp.resolve("model"));
  }

  /** The heap cap is about the method's quantized weights plus one weight's float copy. */
  @ParameterizedTest
  @CsvSource({"bnb-nf4, 100", "eetq-int8, 160", "quanto-int4, 100", "fp8, 160"})
  void loadPeaksNearQuantizedSizePlusOneShard(String preset, int heapMb) throws Exception {
    Assumptions.assumeTrue(
        Files.exists(Path.of("/proc/self/status")), "SKIPPED: needs Linux /proc to read peak RSS");
    long largestShard = 0;
    long total = 0;
    try (var files = Files.list(model)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
        largestShard = Math.max(largestShard, Files.size(p));
        total += Files.size(p);
      }
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-Xmx" + heapMb + "m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                PeakMemoryProbe.class.getName(),
                model.toString(),
                preset)
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
    assertEquals(0, p.exitValue(), output);
    String[] f = output.strip().lines().reduce((a, b) -> b).orElseThrow().split(" ");
    long before = Long.parseLong(f[0]);
    long peak = Long.parseLong(f[1]);
    long quantized = Long.parseLong(f[2]);
    long allowance = 48L << 20;
    long growth = peak - before;
    String figures =
        String.format(
            "%s: bf16 %d MB in shards of <= %d MB; quantized %d MB; RSS growth %d MB",
            preset, total >> 20, largestShard >> 20, quantized >> 20, growth >> 20);
    System.out.println("peak memory: " + figures);
    assertTrue(growth < quantized + largestShard + allowance, figures);
    assertTrue(
        quantized + largestShard + allowance < total,
        "the bound must be tighter than the float model: " + figures);
  }

  /** A random bf16 Llama of {@value #LAYERS} layers, one shard per layer (about 20 MB each). */
  static Path writeSyntheticModel(Path dir) throws IOException {
    Files.createDirectories(dir);
    String config =
        Files.readString(TestFiles.tinyLlama().resolve("config.json"))
            .replace("\"hidden_size\": 256", "\"hidden_size\": " + HIDDEN)
            .replace("\"intermediate_size\": 768", "\"intermediate_size\": " + INTER)
            .replace("\"num_hidden_layers\": 6", "\"num_hidden_layers\": " + LAYERS)
            .replace("\"num_attention_heads\": 8", "\"num_attention_heads\": 16")
            .replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 16")
            .replace("\"head_dim\": 32", "\"head_dim\": 64");
    Files.writeString(dir.resolve("config.json"), config);
    SplittableRandom random = new SplittableRandom(42);
    List<TensorData> tensors = new ArrayList<>();
    tensors.add(bf16("model.embed_tokens.weight", random, VOCAB, HIDDEN));
    tensors.add(bf16("lm_head.weight", random, VOCAB, HIDDEN));
    tensors.add(bf16("model.norm.weight", random, HIDDEN));
    for (int i = 0; i < LAYERS; i++) {
      String l = "model.layers." + i + ".";
      for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
        tensors.add(bf16(l + "self_attn." + proj + ".weight", random, HIDDEN, HIDDEN));
      }
      tensors.add(bf16(l + "mlp.gate_proj.weight", random, INTER, HIDDEN));
      tensors.add(bf16(l + "mlp.up_proj.weight", random, INTER, HIDDEN));
      tensors.add(bf16(l + "mlp.down_proj.weight", random, HIDDEN, INTER));
      tensors.add(bf16(l + "input_layernorm.weight", random, HIDDEN));
      tensors.add(bf16(l + "post_attention_layernorm.weight", random, HIDDEN));
    }
    SafetensorsWriter.writeSharded(dir, Map.of("format", "pt"), tensors, 24L << 20);
    return dir;
  }

  private static TensorData bf16(String name, SplittableRandom random, long... dims) {
    long n = Shape.of(dims).numel();
    byte[] bytes = new byte[(int) (2 * n)];
    for (int i = 0; i < n; i++) {
      // bf16 of a small normal-ish value: sign, exponent around 2^-6, random mantissa
      int bits = Float.floatToIntBits((float) ((random.nextDouble() - 0.5) * 0.04)) >>> 16;
      bytes[2 * i] = (byte) bits;
      bytes[2 * i + 1] = (byte) (bits >>> 8);
    }
    return TensorData.of(name, DType.BF16, Shape.of(dims), bytes);
  }
}
