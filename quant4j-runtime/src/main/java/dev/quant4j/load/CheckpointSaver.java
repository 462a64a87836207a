package dev.quant4j.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.TensorData;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Saves a loaded model as a Hugging Face checkpoint: quantized weights in their method's tensor
 * format, every other tensor as read, config.json with the {@code quantization_config} (or the
 * method's own files where it keeps its config elsewhere, like optimum-quanto), and the generation
 * and tokenizer files. Everything is written into a hidden staging folder beside the target, forced
 * to disk, and renamed into place at the end, so a failure leaves nothing behind and no existing
 * checkpoint is ever overwritten.
 */
final class CheckpointSaver {
  /**
   * transformers' default {@code max_shard_size} (5 GB) is far above our models; 2 GiB keeps files
   * mappable anywhere.
   */
  static final long MAX_SHARD_BYTES = 2L << 30;

  private static final List<String> COPIED_FILES =
      List.of(
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  private CheckpointSaver() {}

  static void save(
      Path source,
      Path target,
      ObjectNode configJson,
      Optional<QuantizationConfig> quantization,
      Checkpoint checkpoint,
      Map<String, QuantizedWeight> quantized) {
    Path out = target.toAbsolutePath().normalize();
    if (out.equals(source.toAbsolutePath().normalize())) {
      throw new CheckpointIoException(
          out, "refusing to save over the checkpoint being read; choose another folder", null);
    }
    if (Files.exists(out) && !isEmptyFolder(out)) {
      throw new CheckpointIoException(
          out, "target exists and is not an empty folder; choose a new one", null);
    }
    Path parent = out.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new CheckpointIoException(parent, "target's parent folder does not exist", null);
    }
    Path staging;
    try {
      staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".partial-");
    } catch (IOException e) {
      throw new CheckpointIoException(parent, "cannot create a staging folder", e);
    }
    try {
      List<TensorData> tensors = tensors(checkpoint, quantized);
      SafetensorsWriter.writeSharded(
          staging, metadata(tensors, quantized), tensors, MAX_SHARD_BYTES);
      ObjectNode config = configJson.deepCopy();
      if (quantization.isPresent() && quantization.get().savedInConfigJson()) {
        config.set("quantization_config", quantization.get().toDict());
      }
      writeJson(staging.resolve("config.json"), config);
      if (quantization.isPresent()) {
        for (var e : quantization.get().sidecarFiles(quantized).entrySet()) {
          Path f = staging.resolve(e.getKey());
          if (!f.getParent().equals(staging) || COPIED_FILES.contains(e.getKey())) {
            throw new CheckpointIoException(
                f, "a method's extra file must be a new plain file name in the folder", null);
          }
          Files.write(f, e.getValue(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          force(f);
        }
      }
      for (String name : COPIED_FILES) {
        Path f = source.resolve(name);
        if (Files.isRegularFile(f)) {
          Files.copy(f, staging.resolve(name));
          force(staging.resolve(name));
        }
      }
      makeReadable(staging);
      if (Files.exists(out)) {
        Files.delete(out); // an empty folder: checked above
      }
      syncFolder(staging);
      Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
      syncFolder(parent);
    } catch (AtomicMoveNotSupportedException
        | FileAlreadyExistsException
        | DirectoryNotEmptyException e) {
      deleteTree(staging);
      throw new CheckpointIoException(out, "cannot move the finished checkpoint into place", e);
    } catch (IOException e) {
      deleteTree(staging);
      throw new CheckpointIoException(out, "cannot write the checkpoint", e);
    } catch (RuntimeException | Error e) {
      deleteTree(staging);
      throw e;
    }
  }

  /**
   * Every tensor to write: quantized weights expanded to their stored tensors, the rest as read.
   */
  private static List<TensorData> tensors(
      Checkpoint checkpoint, Map<String, QuantizedWeight> quantized) {
    List<TensorData> out = new ArrayList<>();
    for (String name : checkpoint.tensorNames()) {
      if (quantized.containsKey(name) || isStoredPartOfQuantized(name, quantized)) {
        continue;
      }
      out.add(TensorData.of(checkpoint.tensor(name)));
    }
    for (var e : quantized.entrySet()) {
      String module = ModuleFilter.moduleOf(e.getKey());
      for (StoredTensor t : e.getValue().checkpointTensors()) {
        out.add(new TensorData(module + "." + t.suffix(), t.dtype(), t.shape(), t.data()));
      }
    }
    out.sort(Comparator.comparing(TensorData::name));
    return out;
  }

  /**
   * transformers' {@code format: pt}, and when some weight is a flattened tensor subclass (torchao)
   * the description torchao's {@code flatten_tensor_state_dict} writes beside it: {@code
   * tensor_names} (every original key) and, per key, the subclass JSON or {@code {"_type":
   * "Tensor"}}. Every shard carries the same metadata, as transformers merges them on load.
   */
  private static Map<String, String> metadata(
      List<TensorData> written, Map<String, QuantizedWeight> quantized) {
    Map<String, String> subclasses = new java.util.TreeMap<>();
    java.util.Set<String> flattened = new java.util.HashSet<>();
    for (var e : quantized.entrySet()) {
      e.getValue()
          .checkpointMetadata()
          .ifPresent(
              json -> {
                subclasses.put(e.getKey(), json);
                String module = ModuleFilter.moduleOf(e.getKey());
                for (StoredTensor t : e.getValue().checkpointTensors()) {
                  flattened.add(module + "." + t.suffix());
                }
              });
    }
    if (subclasses.isEmpty()) {
      return Map.of("format", "pt");
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    out.put("format", "pt");
    List<String> names = new ArrayList<>();
    for (TensorData t : written) {
      if (!flattened.contains(t.name())) {
        names.add(t.name());
        out.put(t.name(), "{\"_type\": \"Tensor\"}");
      }
    }
    names.addAll(subclasses.keySet());
    out.putAll(subclasses);
    names.sort(Comparator.naturalOrder());
    try {
      out.put("tensor_names", new ObjectMapper().writeValueAsString(names));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a list of strings always serializes", e);
    }
    return out;
  }

  /**
   * Tensors of a pre-quantized checkpoint that a quantized weight re-creates (its scales, state).
   */
  private static boolean isStoredPartOfQuantized(
      String name, Map<String, QuantizedWeight> quantized) {
    for (String weight : quantized.keySet()) {
      String module = ModuleFilter.moduleOf(weight) + ".";
      if (name.startsWith(module) && !name.equals(module + "bias")) {
        return true;
      }
    }
    return false;
  }

  private static void writeJson(Path file, ObjectNode node) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.write(
        file,
        (mapper.writeValueAsString(node) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    force(file);
  }

  /**
   * Makes a folder's entries durable (Linux allows opening a folder to fsync it; elsewhere a
   * no-op).
   */
  private static void syncFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // not supported on this platform: the rename itself is still atomic
    }
  }

  private static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * Temporary files and folders are created private; a saved checkpoint is as readable as any file.
   */
  private static void makeReadable(Path dir) throws IOException {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.setPosixFilePermissions(
            p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
  }

  private static boolean isEmptyFolder(Path p) {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: a leftover hidden staging folder is harmless and says what it is
                }
              });
    } catch (IOException ignored) {
      // nothing to clean
    }
  }
}
