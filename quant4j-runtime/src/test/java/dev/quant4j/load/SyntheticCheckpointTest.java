package dev.quant4j.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.ConfigException;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.safetensors.ShardIndex;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny synthetic checkpoint is sharded as asked, loads, runs, and is reused from its cache. */
class SyntheticCheckpointTest {
  static final SyntheticCheckpoint.Dimensions TINY =
      new SyntheticCheckpoint.Dimensions(64, 2, 4, 2, 128, 256, 128, 10000.0, 1e-5);

  @TempDir Path tmp;

  @Test
  void writesShardsWithAnIndexAndLoads() {
    // Embeddings alone are 256 x 64 bf16 = 32 KiB: a 40 KB limit forces several shards.
    var synthetic = new SyntheticCheckpoint(TINY, 7, 40_000);
    Path dir = synthetic.ensure(tmp.resolve("m"));
    assertTrue(Files.isRegularFile(dir.resolve(ShardIndex.FILE_NAME)));
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertTrue(c.shardFiles().size() > 2, "shards: " + c.shardFiles());
      long params = c.tensorNames().stream().mapToLong(n -> c.info(n).shape().numel()).sum();
      assertEquals(TINY.parameterCount(), params);
      for (Path shard : c.shardFiles()) {
        long tensorBytes =
            c.tensorNames().stream()
                .filter(n -> c.shardOf(n).equals(shard))
                .mapToLong(n -> c.info(n).byteSize())
                .sum();
        long inShard = c.tensorNames().stream().filter(n -> c.shardOf(n).equals(shard)).count();
        assertTrue(tensorBytes <= 40_000 || inShard == 1, shard + " holds " + tensorBytes);
      }
      // Norms are ones; other weights have the requested spread (std 0.02) and are not constant.
      var norm = c.tensor("model.layers.1.input_layernorm.weight").data();
      assertEquals(1.0f, bf16(norm.get(ValueLayout.JAVA_SHORT_UNALIGNED, 6)));
      var up = c.tensor("model.layers.0.mlp.up_proj.weight").data();
      double sumSq = 0;
      long n = up.byteSize() / 2;
      for (long i = 0; i < n; i++) {
        float v =
            bf16(
                up.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i));
        sumSq += v * v;
      }
      assertEquals(0.02, Math.sqrt(sumSq / n), 0.001);
    }
    try (CausalLm lm = CausalLm.fromPretrained(dir)) {
      assertEquals(256, lm.model().vocabSize());
      float[] logits = new float[256];
      lm.model().newSession(8).forward(new int[] {1, 2, 3}, 0, 3, logits, LogitsMode.LAST);
      for (float v : logits) {
        assertTrue(Float.isFinite(v));
      }
    }
  }

  @Test
  void valuesDependOnSeedAndNameNotOnSharding() throws IOException {
    Path a = new SyntheticCheckpoint(TINY, 7, 40_000).ensure(tmp.resolve("a"));
    Path b = new SyntheticCheckpoint(TINY, 7, 1L << 30).ensure(tmp.resolve("b"));
    Path c = new SyntheticCheckpoint(TINY, 8, 1L << 30).ensure(tmp.resolve("c"));
    assertTrue(Files.isRegularFile(b.resolve("model.safetensors")), "one file under the limit");
    String name = "model.layers.1.self_attn.k_proj.weight";
    byte[] wa = bytes(a, name);
    assertArrayEquals(wa, bytes(b, name));
    assertNotEquals(java.util.Arrays.toString(wa), java.util.Arrays.toString(bytes(c, name)));
  }

  @Test
  void reusesACompleteFolderAndRefusesAForeignOne() throws IOException {
    var synthetic = new SyntheticCheckpoint(TINY, 7, 1L << 30);
    Path dir = synthetic.ensure(tmp.resolve("m"));
    var written = Files.getLastModifiedTime(dir.resolve("model.safetensors"));
    assertEquals(dir, synthetic.ensure(dir));
    assertEquals(written, Files.getLastModifiedTime(dir.resolve("model.safetensors")), "reused");
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertEquals(1, siblings.count(), "no temporary folder left behind");
    }
    var other = new SyntheticCheckpoint(TINY, 8, 1L << 30);
    var e = assertThrows(CheckpointIoException.class, () -> other.ensure(dir));
    assertTrue(e.getMessage().contains("\"seed\":8"), e.getMessage());
    Files.createDirectories(tmp.resolve("foreign"));
    assertThrows(CheckpointIoException.class, () -> synthetic.ensure(tmp.resolve("foreign")));
  }

  @Test
  void tinyLlamaShapeHasItsKnownParameterCount() {
    // TinyLlama-1.1B: 1,100,048,384 parameters (embeddings and lm_head untied).
    assertEquals(1_100_048_384L, SyntheticCheckpoint.Dimensions.TINYLLAMA_1_1B.parameterCount());
  }

  @Test
  void refusesShapesThatDoNotSplitIntoHeads() {
    var e =
        assertThrows(
            ConfigException.class,
            () -> new SyntheticCheckpoint.Dimensions(64, 2, 4, 3, 128, 256, 128, 1e4, 1e-5));
    assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
  }

  private static float bf16(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  private static byte[] bytes(Path dir, String name) {
    try (Checkpoint c = Checkpoint.open(dir)) {
      return c.tensor(name).data().toArray(ValueLayout.JAVA_BYTE);
    }
  }
}
