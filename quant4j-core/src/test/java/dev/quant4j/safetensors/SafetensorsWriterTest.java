package dev.quant4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.ResourceLimitException;
import dev.quant4j.tensor.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  @TempDir Path dir;

  private static TensorData u8(String name, int n, int fill) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) fill);
    return TensorData.of(name, DType.U8, Shape.of(n), b);
  }

  private List<String> folder() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void headerIsSortedPaddedAndReadsBack() throws IOException {
    Path f = dir.resolve("m.safetensors");
    SafetensorsWriter.write(f, Map.of("format", "pt"), List.of(u8("z", 3, 1), u8("a", 2, 2)));
    byte[] bytes = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8);
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.indexOf("\"a\"") < header.indexOf("\"z\""), header);
    assertTrue(header.endsWith(" ") || header.endsWith("}"));
    try (SafetensorsFile r = SafetensorsFile.open(f)) {
      assertEquals(Map.of("format", "pt"), r.metadata());
      assertEquals(List.of("a", "z"), r.tensors().stream().map(TensorInfo::name).toList());
      assertArrayEquals(new float[] {1, 1, 1}, r.tensor("z").toFloatArray());
    }
    assertEquals(List.of("m.safetensors"), folder());
  }

  @Test
  void refusesBadTensorSetsBeforeWritingAnything() throws IOException {
    Path f = dir.resolve("m.safetensors");
    assertThrows(
        FormatException.class,
        () -> SafetensorsWriter.write(f, Map.of(), List.of(u8("a", 1, 0), u8("a", 1, 0))));
    assertThrows(
        FormatException.class,
        () -> SafetensorsWriter.write(f, Map.of(), List.of(u8("__metadata__", 1, 0))));
    String longName = "x".repeat(60_000_000);
    List<TensorData> huge = List.of(u8(longName, 1, 0), u8(longName + "y", 1, 0));
    assertThrows(ResourceLimitException.class, () -> SafetensorsWriter.write(f, Map.of(), huge));
    assertEquals(List.of(), folder());
  }

  @Test
  void targetIsADirectoryOrASymlink() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    assertThrows(
        CheckpointIoException.class,
        () -> SafetensorsWriter.write(sub, Map.of(), List.of(u8("a", 1, 0))));
    Path real = dir.resolve("real");
    Files.writeString(real, "keep");
    Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real);
    CheckpointIoException e =
        assertThrows(
            CheckpointIoException.class,
            () -> SafetensorsWriter.write(link, Map.of(), List.of(u8("a", 1, 0))));
    assertTrue(e.userMessage().contains("symbolic link"));
    assertEquals("keep", Files.readString(real));
    assertEquals(List.of("link.safetensors", "real", "sub"), folder());
  }

  @Test
  void readOnlyFolder() throws IOException {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Assumptions.assumeFalse(
          Files.isWritable(ro), "running as root: permissions are not enforced");
      CheckpointIoException ro1 =
          assertThrows(
              CheckpointIoException.class,
              () ->
                  SafetensorsWriter.write(
                      ro.resolve("m.safetensors"), Map.of(), List.of(u8("a", 1, 0))));
      assertTrue(ro1.userMessage().contains("not writable"), ro1.userMessage());
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    try (Stream<Path> s = Files.list(ro)) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void failureMidwayKeepsThePreviousFileAndLeavesNoTemporary() throws IOException {
    Path f = dir.resolve("m.safetensors");
    SafetensorsWriter.write(f, Map.of(), List.of(u8("old", 4, 7)));
    byte[] before = Files.readAllBytes(f);
    MemorySegment gone;
    try (Arena arena = Arena.ofConfined()) {
      gone = arena.allocate(8);
    }
    // "b" is written after "a": the write fails halfway through the data
    List<TensorData> failing =
        List.of(u8("a", 1 << 20, 1), new TensorData("b", DType.U8, Shape.of(8), gone));
    CheckpointIoException e =
        assertThrows(
            CheckpointIoException.class, () -> SafetensorsWriter.write(f, Map.of(), failing));
    assertTrue(e.userMessage().startsWith(f.toString()), e.userMessage());
    assertArrayEquals(before, Files.readAllBytes(f));
    assertEquals(List.of("m.safetensors"), folder());
  }

  @Test
  void overwritingAMappedFileLeavesItsReadersIntact() {
    Path f = dir.resolve("m.safetensors");
    SafetensorsWriter.write(f, Map.of(), List.of(u8("w", 16, 5)));
    try (SafetensorsFile old = SafetensorsFile.open(f)) {
      SafetensorsWriter.write(f, Map.of(), List.of(u8("w", 16, 9)));
      assertEquals(5f, old.tensor("w").getFloat(15));
      try (SafetensorsFile fresh = SafetensorsFile.open(f)) {
        assertEquals(9f, fresh.tensor("w").getFloat(15));
      }
    }
  }

  @Test
  void shardedSaveWritesIndexAndReplacesAPreviousCheckpoint() throws IOException {
    List<TensorData> ts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ts.add(u8("t" + i, 100, i));
    }
    SafetensorsWriter.writeSharded(dir, Map.of("format", "pt"), ts, 250);
    assertEquals(
        List.of(
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            ShardIndex.FILE_NAME),
        folder());
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertEquals(5, c.tensorNames().size());
      assertEquals(
          dir.resolve("model-00003-of-00003.safetensors").toAbsolutePath(), c.shardOf("t4"));
      assertEquals(3f, c.tensor("t3").getFloat(99));
    }
    assertTrue(
        Files.readString(dir.resolve(ShardIndex.FILE_NAME)).contains("\"total_size\" : 500"));
    // saved again, small enough for one file: the old shards and index go, the new file stays
    SafetensorsWriter.writeSharded(dir, Map.of(), ts.subList(0, 2), 1 << 20);
    assertEquals(List.of(Checkpoint.SINGLE_FILE), folder());
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertEquals(2, c.tensorNames().size());
    }
  }

  @Test
  void shardedSaveFailingMidwayKeepsTheOldCheckpoint() throws IOException {
    List<TensorData> ts = List.of(u8("a", 100, 1), u8("b", 100, 2));
    SafetensorsWriter.writeSharded(dir, Map.of(), ts, 150);
    List<String> before = folder();
    MemorySegment gone;
    try (Arena arena = Arena.ofConfined()) {
      gone = arena.allocate(100);
    }
    List<TensorData> failing =
        List.of(u8("a", 100, 5), new TensorData("b", DType.U8, Shape.of(100), gone));
    assertThrows(
        CheckpointIoException.class,
        () -> SafetensorsWriter.writeSharded(dir, Map.of(), failing, 150));
    assertEquals(before, folder());
    try (Checkpoint c = Checkpoint.open(dir)) {
      assertEquals(1f, c.tensor("a").getFloat(0));
    }
  }
}
