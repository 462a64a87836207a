package dev.quant4j.safetensors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.json.BoundedJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes safetensors files atomically: the header is built and validated first, the file is written
 * to a temporary file in the target folder, forced to disk, read back and compared, then renamed
 * over the target and the folder synced. A crash at any point leaves the old file (or none) at the
 * target, and saving over a file that is memory-mapped never truncates it under its readers.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /** Writes one safetensors file at {@code target}, replacing a previous one atomically. */
  public static void write(Path target, Map<String, String> metadata, List<TensorData> tensors) {
    Path tmp = writeTemporary(target, metadata, tensors);
    try {
      AtomicFiles.publish(tmp, target);
    } finally {
      AtomicFiles.deleteQuietly(tmp);
    }
  }

  /**
   * Writes a checkpoint into {@code dir}: a single {@code model.safetensors} when the data fits in
   * {@code maxShardBytes}, else {@code model-0000i-of-0000n.safetensors} shards (in name order; a
   * tensor larger than the limit gets a shard of its own) and {@code model.safetensors.index.json}.
   *
   * <p>Every new file is written and verified under a temporary name first; only then are they
   * renamed into place, the index last; files of a previous checkpoint in {@code dir} that the new
   * one does not reuse are deleted after that. A failure before the renames leaves the previous
   * checkpoint untouched. One window remains, as long as a few renames: when new shard names equal
   * old ones, a crash between the first shard rename and the index rename leaves old and new shards
   * side by side. {@link Checkpoint#open} refuses that folder whenever the tensor sets differ; a
   * re-save of the same tensor names (same shapes, new values) cannot be told apart.
   */
  public static void writeSharded(
      Path dir, Map<String, String> metadata, List<TensorData> tensors, long maxShardBytes) {
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
    }
    AtomicFiles.checkTargetFolder(dir);
    HeaderWriter.layout(
        dir.resolve(Checkpoint.SINGLE_FILE), metadata, tensors); // names checked once, up front
    List<List<TensorData>> groups = group(tensors, maxShardBytes);
    Set<Path> previous = previousCheckpointFiles(dir);
    Map<Path, Path> staged = new LinkedHashMap<>(); // temporary -> final
    try {
      if (groups.size() == 1) {
        Path target = dir.resolve(Checkpoint.SINGLE_FILE);
        staged.put(writeTemporary(target, metadata, groups.getFirst()), target);
      } else {
        Map<String, String> weightMap = new java.util.TreeMap<>();
        long total = 0;
        for (int i = 0; i < groups.size(); i++) {
          String name = String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size());
          Path target = dir.resolve(name);
          staged.put(writeTemporary(target, metadata, groups.get(i)), target);
          for (TensorData t : groups.get(i)) {
            weightMap.put(t.name(), name);
            total += t.byteSize();
          }
        }
        Path index = dir.resolve(ShardIndex.FILE_NAME);
        staged.put(AtomicFiles.writeTemporary(index, indexJson(total, weightMap)), index);
      }
      // Index (or single file) last: until it is renamed, a reader still sees the old checkpoint.
      for (Map.Entry<Path, Path> e : staged.entrySet()) {
        AtomicFiles.publish(e.getKey(), e.getValue());
      }
    } finally {
      staged.keySet().forEach(AtomicFiles::deleteQuietly);
    }
    previous.removeAll(staged.values());
    for (Path stale : previous) {
      AtomicFiles.deleteQuietly(stale);
    }
    AtomicFiles.syncFolder(dir);
  }

  private static List<List<TensorData>> group(List<TensorData> tensors, long maxShardBytes) {
    List<TensorData> ordered = new ArrayList<>(tensors);
    ordered.sort(java.util.Comparator.comparing(TensorData::name));
    List<List<TensorData>> groups = new ArrayList<>();
    List<TensorData> current = new ArrayList<>();
    long size = 0;
    for (TensorData t : ordered) {
      if (!current.isEmpty() && size + t.byteSize() > maxShardBytes) {
        groups.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(t);
      size += t.byteSize();
    }
    groups.add(current);
    return groups;
  }

  /**
   * The files of a checkpoint already in {@code dir}: only names the format defines, never others.
   */
  private static Set<Path> previousCheckpointFiles(Path dir) {
    Set<Path> files = new HashSet<>();
    Path single = dir.resolve(Checkpoint.SINGLE_FILE);
    if (Files.isRegularFile(single)) {
      files.add(single);
    }
    Path index = dir.resolve(ShardIndex.FILE_NAME);
    if (Files.isRegularFile(index)) {
      files.add(index);
      try {
        files.addAll(ShardIndex.read(index).weightMap().values());
      } catch (RuntimeException e) {
        // An unreadable old index: its shards are left alone rather than guessed at.
      }
    }
    return files;
  }

  private static byte[] indexJson(long totalSize, Map<String, String> weightMap) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = BoundedJson.CONFIG.mapper().getFactory().createGenerator(out)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter());
      g.writeStartObject();
      g.writeObjectFieldStart("metadata");
      g.writeNumberField("total_size", totalSize);
      g.writeEndObject();
      g.writeObjectFieldStart("weight_map");
      for (Map.Entry<String, String> e : weightMap.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** Writes, forces and verifies a temporary file next to {@code target}; returns its path. */
  private static Path writeTemporary(
      Path target, Map<String, String> metadata, List<TensorData> tensors) {
    AtomicFiles.checkTarget(target);
    HeaderWriter.Layout layout = HeaderWriter.layout(target, metadata, tensors);
    // Validate what we are about to write with the reader's own checks.
    HeaderParser.parse(
        target,
        layout.header().length - 8L,
        new String(layout.header(), 8, layout.header().length - 8, StandardCharsets.UTF_8));
    Path tmp = AtomicFiles.createTemporary(target);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        writeFully(ch, ByteBuffer.wrap(layout.header()));
        for (TensorData t : layout.ordered()) {
          writeSegment(ch, t.data());
        }
        ch.force(true);
      }
      verify(tmp, target, metadata, layout);
      return tmp;
    } catch (IOException e) {
      AtomicFiles.deleteQuietly(tmp);
      throw new CheckpointIoException(target, "cannot write", e);
    } catch (RuntimeException | Error e) {
      AtomicFiles.deleteQuietly(tmp);
      if (e instanceof IllegalStateException || e instanceof InternalError) {
        throw new CheckpointIoException(target, "cannot read the tensor data being written", e);
      }
      throw e;
    }
  }

  private static void writeSegment(FileChannel ch, MemorySegment data) throws IOException {
    // ByteBuffers are int-indexed: write large tensors in slices.
    final long chunk = 1L << 30;
    for (long pos = 0; pos < data.byteSize(); pos += chunk) {
      writeFully(ch, data.asSlice(pos, Math.min(chunk, data.byteSize() - pos)).asByteBuffer());
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Reads the temporary file back: same header, same bytes, before it may replace anything. */
  private static void verify(
      Path tmp, Path target, Map<String, String> metadata, HeaderWriter.Layout layout) {
    try (SafetensorsFile back = SafetensorsFile.open(tmp)) {
      if (!back.metadata().equals(metadata) || back.tensors().size() != layout.ordered().size()) {
        throw new FormatException(
            target, null, "read-back check failed: header differs from what was written");
      }
      for (TensorData t : layout.ordered()) {
        MemorySegment written = back.tensor(t.name()).data();
        if (written.mismatch(t.data()) != -1) {
          throw new FormatException(
              target,
              "tensor '" + t.name() + "'",
              "read-back check failed: bytes differ from what was written");
        }
      }
    }
  }
}
