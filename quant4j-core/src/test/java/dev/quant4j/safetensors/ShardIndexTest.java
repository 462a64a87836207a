package dev.quant4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.Quant4jException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sharded-index cases of bad-inputs.md: all refused before any weight is read. */
class ShardIndexTest {
  @TempDir Path dir;

  @BeforeEach
  void twoShards() {
    Bytes.file(
        dir,
        "s1.safetensors",
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}",
        2);
    Bytes.file(
        dir,
        "s2.safetensors",
        "{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
        1);
  }

  private Path index(String json) {
    return Bytes.write(dir.resolve(ShardIndex.FILE_NAME), json.getBytes(StandardCharsets.UTF_8));
  }

  private Path weightMap(String entries) {
    return index("{\"metadata\":{\"total_size\":3},\"weight_map\":{" + entries + "}}");
  }

  private static <E extends Quant4jException> void fails(
      Class<E> type, Path opened, String... fragments) {
    E e = assertThrows(type, () -> Checkpoint.open(opened).close());
    String msg = e.userMessage();
    assertTrue(!msg.contains("\n"), msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), () -> "'" + f + "' missing from: " + msg);
    }
  }

  @Test
  void validIndexOpensFromFolderOrIndexFile() {
    Path idx = index("{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}"); // no
    // total_size:
    // fine
    for (Path p : List.of(dir, idx)) {
      try (Checkpoint c = Checkpoint.open(p)) {
        assertEquals(List.of("a", "b"), List.copyOf(c.tensorNames()));
        assertEquals(dir.resolve("s2.safetensors").toAbsolutePath(), c.shardOf("b"));
        assertEquals(2, c.tensor("a").numel());
      }
    }
  }

  @Test
  void aFolderNamedThroughDotDotStillContainsItsShards() {
    index("{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
    Path roundabout = dir.resolve("..").resolve(dir.getFileName());
    try (Checkpoint c = Checkpoint.open(roundabout)) {
      assertEquals(List.of("a", "b"), List.copyOf(c.tensorNames()));
    }
  }

  @Test
  void missingShard() {
    fails(
        CheckpointIoException.class,
        weightMap("\"a\":\"s1.safetensors\",\"b\":\"gone.safetensors\""),
        "gone.safetensors",
        "missing",
        "'b'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../s1.safetensors",
        "/etc/s1.safetensors",
        "C:s1.safetensors",
        "sub\\\\s1.safetensors",
        "./s1.safetensors",
        ""
      })
  void shardNamesCannotLeaveTheFolder(String name) {
    fails(
        FormatException.class,
        weightMap("\"a\":\"" + name + "\",\"b\":\"s2.safetensors\""),
        ShardIndex.FILE_NAME,
        "weight_map['a']");
  }

  @ParameterizedTest
  @ValueSource(strings = {"pytorch_model.bin", "model.pt", "model.pth", "model.ckpt", "model.PKL"})
  void pickleIsNeverRead(String name) {
    Bytes.write(dir.resolve(name), new byte[] {(byte) 0x80, 2});
    fails(FormatException.class, weightMap("\"a\":\"" + name + "\""), "pickle", name);
  }

  @Test
  void listedButAbsentFromItsShard() {
    fails(
        FormatException.class,
        weightMap("\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\",\"c\":\"s2.safetensors\""),
        "tensor 'c'",
        "absent from shard s2.safetensors");
  }

  @Test
  void tensorInTwoShards() {
    Bytes.file(
        dir,
        "s3.safetensors",
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}",
        2);
    fails(
        FormatException.class,
        weightMap("\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\",\"x\":\"s3.safetensors\""),
        "tensor 'a'",
        "two shards",
        "s1.safetensors",
        "s3.safetensors");
  }

  @Test
  void shardTensorNotListed() {
    fails(
        FormatException.class,
        weightMap("\"a\":\"s1.safetensors\",\"x\":\"s2.safetensors\""),
        "tensor 'b'",
        "not listed");
  }

  @Test
  void tensorInAnotherShardThanListed() {
    Bytes.file(
        dir,
        "s3.safetensors",
        "{\"c\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}",
        2);
    fails(
        FormatException.class,
        weightMap("\"a\":\"s3.safetensors\",\"b\":\"s2.safetensors\",\"c\":\"s1.safetensors\""),
        "tensor");
  }

  @Test
  void weightMapMissingOrNotStrings() {
    fails(FormatException.class, index("{\"metadata\":{}}"), "weight_map", "missing");
    fails(FormatException.class, index("{\"weight_map\":[]}"), "weight_map", "not an object");
    fails(FormatException.class, weightMap("\"a\":1"), "weight_map['a']", "not a string");
  }

  @Test
  void badShardHeaderIsReportedWithTheShard() {
    Bytes.file(
        dir,
        "s2.safetensors",
        "{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
        5);
    fails(
        FormatException.class,
        weightMap("\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\""),
        "s2.safetensors",
        "trailing bytes");
  }

  @Test
  void folderWithoutSafetensorsMentionsPickle() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("m"));
    Bytes.write(empty.resolve("pytorch_model.bin"), new byte[] {1});
    fails(CheckpointIoException.class, empty, "no model.safetensors", "never read");
  }
}
