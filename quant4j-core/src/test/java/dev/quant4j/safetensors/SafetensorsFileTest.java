package dev.quant4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path dir;

  @Test
  void tinyLlamaIsValidAndViewsAreZeroCopy() {
    Path file = TestFiles.tinyLlama().resolve("model.safetensors");
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertFalse(f.tensors().isEmpty());
      long sum = f.tensors().stream().mapToLong(TensorInfo::byteSize).sum();
      assertEquals(f.header().dataLength(), sum);
      TensorView emb = f.tensor("model.embed_tokens.weight");
      assertEquals(DType.BF16, emb.dtype());
      assertEquals(Shape.of(4096, 256), emb.shape());
      assertTrue(emb.data().isMapped());
      // bulk copy and element access agree, and the bf16 values are what the raw bits say
      float[] row = new float[256];
      emb.copyToFloats(256L * 7, row, 0, 256);
      for (int i = 0; i < 256; i += 37) {
        assertEquals(row[i], emb.getFloat(256L * 7 + i));
        short bits =
            emb.data()
                .get(
                    ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                    2L * (256 * 7 + i));
        assertEquals(Float.intBitsToFloat(bits << 16), row[i]);
      }
      FormatException absent = assertThrows(FormatException.class, () -> f.tensor("nope"));
      assertTrue(
          absent.userMessage().contains("model.safetensors")
              && absent.userMessage().contains("'nope'"));
    }
  }

  @Test
  void smallLlamaShardsValidateAndVisitOneAtATime() {
    Path model = TestFiles.requireShared("models/small-llama");
    try (Checkpoint c = Checkpoint.open(model)) {
      assertEquals(3, c.shardFiles().size());
      List<String> seen = new ArrayList<>();
      List<TensorView> kept = new ArrayList<>();
      c.forEachShard(
          (shard, views) -> {
            for (TensorView v : views) {
              assertEquals(shard, c.shardOf(v.name()));
              seen.add(v.name());
            }
            kept.add(views.getFirst());
          });
      assertEquals(c.tensorNames(), new java.util.TreeSet<>(seen));
      // each shard was unmapped after its visit
      assertThrows(IllegalStateException.class, () -> kept.getFirst().getFloat(0));
      TensorView head = c.tensor("lm_head.weight");
      assertEquals(Shape.of(4096, 384), head.shape());
      assertTrue(Float.isFinite(head.getFloat(head.numel() - 1)));
    }
  }

  @Test
  void accessFaultAfterTruncationIsAnIoErrorNamingTheFile() throws Exception {
    int n = 1 << 16;
    Path file = dir.resolve("t.safetensors");
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(4L * n);
      SafetensorsWriter.write(
          file, Map.of(), List.of(new TensorData("w", DType.F32, Shape.of(n), data)));
    }
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      TensorView w = f.tensor("w");
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(64);
      }
      float[] dst = new float[n];
      CheckpointIoException e =
          assertThrows(CheckpointIoException.class, () -> w.copyToFloats(0, dst, 0, n));
      assertTrue(
          e.userMessage().contains(file.toString()) && e.userMessage().contains("'w'"),
          e.userMessage());
      assertThrows(CheckpointIoException.class, () -> w.getFloat(n - 1));
    }
  }

  /** A sparse file: 3 GiB of tensor that costs no disk and a few milliseconds. */
  @Test
  void filesAndTensorsPast2GiB() throws Exception {
    long n = 3L << 30;
    String header =
        "{\"big\":{\"dtype\":\"U8\",\"shape\":["
            + n
            + "],\"data_offsets\":[0,"
            + n
            + "]},"
            + "\"tail\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":["
            + n
            + ","
            + (n + 4)
            + "]}}";
    Path file = Bytes.file(dir, "big.safetensors", header, 0);
    long dataStart = Files.size(file);
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(dataStart + n + 4);
      raf.seek(dataStart + n - 1);
      raf.write(200);
      raf.writeInt(Integer.reverseBytes(Float.floatToIntBits(2.5f)));
    }
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      TensorView big = f.tensor("big");
      assertEquals(n, big.numel());
      assertEquals(200f, big.getFloat(n - 1));
      assertEquals(0f, big.getFloat(n / 2));
      assertEquals(2.5f, f.tensor("tail").getFloat(0));
      assertThrows(dev.quant4j.error.ResourceLimitException.class, big::toFloatArray);
    }
  }

  @Test
  void everyDtypeReadsAsFloat() {
    byte[] bytes = {(byte) 0xff, 0x7f, 0x00, (byte) 0x80};
    Path file = dir.resolve("a.safetensors");
    List<TensorData> ts =
        List.of(
            TensorData.of("i16", DType.I16, Shape.of(2), bytes),
            TensorData.of("u16", DType.U16, Shape.of(2), bytes),
            TensorData.of("i8", DType.I8, Shape.of(4), bytes),
            TensorData.of("u8", DType.U8, Shape.of(4), bytes),
            TensorData.of("f4", DType.F4, Shape.of(8), bytes),
            TensorData.of("u32", DType.U32, Shape.of(1), bytes),
            TensorData.of("bool", DType.BOOL, Shape.of(4), bytes));
    SafetensorsWriter.write(file, Map.of(), ts);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertArrayEquals(new float[] {32767, -32768}, f.tensor("i16").toFloatArray());
      assertArrayEquals(new float[] {32767, 32768}, f.tensor("u16").toFloatArray());
      assertArrayEquals(new float[] {-1, 127, 0, -128}, f.tensor("i8").toFloatArray());
      assertArrayEquals(new float[] {255, 127, 0, 128}, f.tensor("u8").toFloatArray());
      assertArrayEquals(new float[] {-6, -6, -6, 6, 0, 0, 0, -0f}, f.tensor("f4").toFloatArray());
      assertEquals(0x80007fffL, (long) f.tensor("u32").getFloat(0), 256);
      assertArrayEquals(new float[] {1, 1, 0, 1}, f.tensor("bool").toFloatArray());
    }
  }
}
