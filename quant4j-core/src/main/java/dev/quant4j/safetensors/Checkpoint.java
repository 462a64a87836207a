package dev.quant4j.safetensors;

import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The weights of a model: one safetensors file, or an index and its shards. Opening validates the
 * index and every shard header (and that index and shards agree tensor for tensor) before any
 * weight is read; shards are then mapped lazily and stay mapped until {@link #close()}.
 *
 * <p>Thread-safe: lazy mapping is synchronized; views may be read from any thread.
 */
public final class Checkpoint implements AutoCloseable {
  /** The file name of a single-file checkpoint. */
  public static final String SINGLE_FILE = "model.safetensors";

  private static final List<String> PICKLE_FILES =
      List.of("pytorch_model.bin", "pytorch_model.bin.index.json", "model.pt", "model.ckpt");

  private final Path source;
  private final List<Path> shards;
  private final Map<String, Located> tensors;
  private final SafetensorsFile[] opened;
  private boolean closed;

  private record Located(int shard, TensorInfo info) {}

  private Checkpoint(Path source, List<Path> shards, Map<String, Located> tensors) {
    this.source = source;
    this.shards = List.copyOf(shards);
    this.tensors = Collections.unmodifiableMap(tensors);
    this.opened = new SafetensorsFile[shards.size()];
  }

  /**
   * Opens a model folder ({@code model.safetensors.index.json} preferred over {@code
   * model.safetensors}), an index file, or a single {@code .safetensors} file.
   */
  public static Checkpoint open(Path dirOrFile) {
    if (Files.isDirectory(dirOrFile)) {
      Path index = dirOrFile.resolve(ShardIndex.FILE_NAME);
      if (Files.exists(index)) {
        return openIndex(index);
      }
      Path single = dirOrFile.resolve(SINGLE_FILE);
      if (Files.exists(single)) {
        return openSingle(single);
      }
      String pickle =
          PICKLE_FILES.stream()
              .filter(f -> Files.exists(dirOrFile.resolve(f)))
              .findFirst()
              .map(
                  f ->
                      "; found "
                          + f
                          + ", but pickle checkpoints are never read (convert to safetensors)")
              .orElse("");
      throw new CheckpointIoException(
          dirOrFile,
          "no " + SINGLE_FILE + " or " + ShardIndex.FILE_NAME + " in this folder" + pickle,
          null);
    }
    if (!Files.exists(dirOrFile)) {
      throw new CheckpointIoException(dirOrFile, "file not found", null);
    }
    return dirOrFile.getFileName().toString().endsWith(".json")
        ? openIndex(dirOrFile)
        : openSingle(dirOrFile);
  }

  private static Checkpoint openSingle(Path file) {
    SafetensorsHeader header = SafetensorsHeader.read(file);
    Map<String, Located> tensors = new TreeMap<>();
    for (TensorInfo t : header.tensors()) {
      tensors.put(t.name(), new Located(0, t));
    }
    return new Checkpoint(file, List.of(file), tensors);
  }

  private static Checkpoint openIndex(Path indexFile) {
    ShardIndex index = ShardIndex.read(indexFile);
    List<Path> shards = new ArrayList<>(new TreeSet<>(index.weightMap().values()));
    Map<String, Located> tensors = new TreeMap<>();
    Map<String, Path> foundIn = new HashMap<>();
    for (int s = 0; s < shards.size(); s++) {
      Path shard = shards.get(s);
      for (TensorInfo t : SafetensorsHeader.read(shard).tensors()) {
        Path listed = index.weightMap().get(t.name());
        Path other = foundIn.putIfAbsent(t.name(), shard);
        String item = "tensor '" + t.name() + "'";
        if (other != null) {
          throw new FormatException(
              indexFile,
              item,
              "in two shards: " + other.getFileName() + " and " + shard.getFileName());
        }
        if (listed == null) {
          throw new FormatException(
              indexFile, item, "in shard " + shard.getFileName() + " but not listed in the index");
        }
        if (!listed.equals(shard)) {
          throw new FormatException(
              indexFile,
              item,
              "found in a shard the index does not say",
              listed.getFileName(),
              shard.getFileName());
        }
        tensors.put(t.name(), new Located(s, t));
      }
    }
    for (Map.Entry<String, Path> e : index.weightMap().entrySet()) {
      if (!tensors.containsKey(e.getKey())) {
        throw new FormatException(
            indexFile,
            "tensor '" + e.getKey() + "'",
            "listed in the index but absent from shard " + e.getValue().getFileName());
      }
    }
    return new Checkpoint(indexFile, shards, tensors);
  }

  /** The folder, index file or single file this checkpoint was opened from (resolved). */
  public Path source() {
    return source;
  }

  /** The safetensors files, sorted. */
  public List<Path> shardFiles() {
    return shards;
  }

  /** Every tensor name, sorted. */
  public Set<String> tensorNames() {
    return tensors.keySet();
  }

  /** The header entry of {@code name}. */
  public TensorInfo info(String name) {
    return locate(name).info();
  }

  /** The shard that holds {@code name}. */
  public Path shardOf(String name) {
    return shards.get(locate(name).shard());
  }

  /** The tensor named {@code name}, mapping its shard on first use. */
  public TensorView tensor(String name) {
    Located at = locate(name);
    return shard(at.shard()).view(at.info());
  }

  /**
   * Maps one shard at a time, hands its tensors (in file order) to the visitor and unmaps it before
   * the next, so peak mapped memory is one shard. Shards already mapped by {@link #tensor} are
   * reused, not unmapped.
   */
  public void forEachShard(ShardVisitor visitor) {
    for (int s = 0; s < shards.size(); s++) {
      SafetensorsFile already;
      synchronized (this) {
        ensureOpen();
        already = opened[s];
      }
      SafetensorsFile file = already != null ? already : openChecked(s);
      try {
        List<TensorView> views = new ArrayList<>();
        for (TensorInfo t : file.tensors()) {
          views.add(file.view(t));
        }
        visitor.visit(shards.get(s), List.copyOf(views));
      } finally {
        if (already == null) {
          file.close();
        }
      }
    }
  }

  private Located locate(String name) {
    Located at = tensors.get(name);
    if (at == null) {
      throw new FormatException(source, "tensor '" + name + "'", "not in this checkpoint");
    }
    return at;
  }

  private synchronized SafetensorsFile shard(int s) {
    ensureOpen();
    if (opened[s] == null) {
      opened[s] = openChecked(s);
    }
    return opened[s];
  }

  /**
   * Maps a shard and checks it still holds what was validated at open (it may have been replaced).
   */
  private SafetensorsFile openChecked(int s) {
    SafetensorsFile file = SafetensorsFile.open(shards.get(s));
    Map<String, TensorInfo> expected = new LinkedHashMap<>();
    tensors.forEach(
        (name, at) -> {
          if (at.shard() == s) {
            expected.put(name, at.info());
          }
        });
    if (!file.header().byName().equals(expected)) {
      file.close();
      throw new FormatException(
          shards.get(s), null, "shard changed since the checkpoint was opened");
    }
    return file;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("checkpoint " + source + " is closed");
    }
  }

  /** Unmaps every mapped shard. */
  @Override
  public synchronized void close() {
    closed = true;
    for (int s = 0; s < opened.length; s++) {
      if (opened[s] != null) {
        opened[s].close();
        opened[s] = null;
      }
    }
  }
}
