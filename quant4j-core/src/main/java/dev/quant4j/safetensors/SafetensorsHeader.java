package dev.quant4j.safetensors;

import dev.quant4j.error.CheckpointIoException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated safetensors header: every check of the format has passed, including that the file is
 * exactly as long as the header says.
 *
 * @param file the file it was read from
 * @param headerLength the JSON length N of the 8-byte prefix
 * @param metadata the {@code __metadata__} map (empty when absent)
 * @param tensors the entries in file order (by offset)
 */
public record SafetensorsHeader(
    Path file, long headerLength, Map<String, String> metadata, List<TensorInfo> tensors) {

  /** The largest header the reference implementation reads. */
  public static final long MAX_HEADER_LENGTH = 100_000_000L;

  public SafetensorsHeader {
    metadata = Map.copyOf(metadata);
    tensors = List.copyOf(tensors);
  }

  /** Reads and validates the header of {@code file} without mapping it. */
  public static SafetensorsHeader read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return HeaderParser.read(file, ch);
    } catch (NoSuchFileException e) {
      throw new CheckpointIoException(file, "file not found", null);
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot read", e);
    }
  }

  /** Where the data buffer starts in the file. */
  public long dataStart() {
    return 8 + headerLength;
  }

  /** Bytes of tensor data (the file length minus the header). */
  public long dataLength() {
    return tensors.isEmpty() ? 0 : tensors.getLast().end();
  }

  /** The tensors by name, in file order. */
  public Map<String, TensorInfo> byName() {
    Map<String, TensorInfo> m = new LinkedHashMap<>();
    for (TensorInfo t : tensors) {
      m.put(t.name(), t);
    }
    return m;
  }

  /** The entry named {@code name}, if any. */
  public Optional<TensorInfo> find(String name) {
    return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
