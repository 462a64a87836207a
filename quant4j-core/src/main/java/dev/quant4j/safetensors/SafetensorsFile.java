package dev.quant4j.safetensors;

import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.tensor.TensorView;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A safetensors file, validated and then memory-mapped read-only in its own shared arena: tensors
 * are zero-copy views, readable from any thread until {@link #close()} unmaps the file. Files and
 * tensors past 2 GiB work (memory segments are long-indexed).
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path path;
  private final SafetensorsHeader header;
  private final Map<String, TensorInfo> byName;
  private final Arena arena;
  private final MemorySegment data;

  private SafetensorsFile(Path path, SafetensorsHeader header, Arena arena, MemorySegment data) {
    this.path = path;
    this.header = header;
    this.byName = Map.copyOf(header.byName());
    this.arena = arena;
    this.data = data;
  }

  /** Validates the whole header and the file length, then maps the file. */
  public static SafetensorsFile open(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      // Header and map come from one open channel, so both see the same file even if the path is
      // replaced in between.
      SafetensorsHeader header = HeaderParser.read(path, ch);
      Arena arena = Arena.ofShared();
      try {
        long size = header.dataStart() + header.dataLength();
        MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        return new SafetensorsFile(path, header, arena, all.asSlice(header.dataStart()));
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
    } catch (NoSuchFileException e) {
      throw new CheckpointIoException(path, "file not found", null);
    } catch (IOException e) {
      throw new CheckpointIoException(path, "cannot map", e);
    }
  }

  /** Reads and validates a header without mapping the file (for inspection and index checks). */
  public static SafetensorsHeader readHeader(Path path) {
    return SafetensorsHeader.read(path);
  }

  public Path path() {
    return path;
  }

  public SafetensorsHeader header() {
    return header;
  }

  /** The {@code __metadata__} map, empty when the file has none. */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** The header entries in file order. */
  public List<TensorInfo> tensors() {
    return header.tensors();
  }

  /** The tensor named {@code name}, if the file holds one. */
  public Optional<TensorView> find(String name) {
    TensorInfo info = byName.get(name);
    return info == null ? Optional.empty() : Optional.of(view(info));
  }

  /** The tensor named {@code name}; fails naming it and the file when absent. */
  public TensorView tensor(String name) {
    return find(name)
        .orElseThrow(() -> new FormatException(path, "tensor '" + name + "'", "not in this file"));
  }

  TensorView view(TensorInfo info) {
    return new TensorView(
        info.name(), info.dtype(), info.shape(), data.asSlice(info.begin(), info.byteSize()), path);
  }

  /** Unmaps the file: views handed out before become unusable (IllegalStateException on access). */
  @Override
  public void close() {
    arena.close();
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
  }
}
