package dev.quant4j.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.FormatException;
import dev.quant4j.json.BoundedJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@code model.safetensors.index.json}: which shard holds each tensor. Shard names are checked to
 * stay inside the index's folder and to be safetensors files (pickle is never read), and every
 * shard must exist, all before any weight is read.
 *
 * @param file the index file
 * @param weightMap tensor name to shard file (resolved, inside the folder), sorted by name
 */
public record ShardIndex(Path file, Map<String, Path> weightMap) {
  /** The file name Hugging Face uses for the index of a sharded checkpoint. */
  public static final String FILE_NAME = "model.safetensors.index.json";

  private static final Set<String> PICKLE_SUFFIXES = Set.of(".bin", ".pt", ".pth", ".ckpt", ".pkl");

  public ShardIndex {
    weightMap = java.util.Collections.unmodifiableMap(new TreeMap<>(weightMap));
  }

  /**
   * Reads and checks an index file (shards must exist; their headers are checked by the caller).
   */
  public static ShardIndex read(Path indexFile) {
    JsonNode root = BoundedJson.CONFIG.read(indexFile);
    if (!root.isObject()) {
      throw new FormatException(indexFile, null, "not a JSON object", "object", root.getNodeType());
    }
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new FormatException(
          indexFile,
          "weight_map",
          map == null ? "missing" : "not an object of strings",
          "object of tensor name to shard file",
          map == null ? "absent" : map.getNodeType());
    }
    Path dir = indexFile.toAbsolutePath().getParent();
    Map<String, Path> weights = new TreeMap<>();
    Map<String, Path> checkedShards = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      String tensor = e.getKey();
      JsonNode v = e.getValue();
      if (!v.isTextual()) {
        throw new FormatException(
            indexFile,
            "weight_map['" + tensor + "']",
            "shard name is not a string",
            "string",
            v.getNodeType());
      }
      Path shard =
          checkedShards.computeIfAbsent(
              v.asText(), name -> resolveShard(indexFile, dir, tensor, name));
      weights.put(tensor, shard);
    }
    return new ShardIndex(indexFile, weights);
  }

  private static Path resolveShard(Path indexFile, Path dir, String tensor, String name) {
    String item = "weight_map['" + tensor + "']";
    if (name.isEmpty()
        || name.contains("\\")
        || name.startsWith("/")
        || (name.length() >= 2 && name.charAt(1) == ':')
        || name.indexOf('\0') >= 0) {
      throw new FormatException(
          indexFile,
          item,
          "shard name must be a plain file name in the model folder",
          "e.g. model-00001-of-00002.safetensors",
          "\"" + name + "\"");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".") || segment.isEmpty()) {
        throw new FormatException(
            indexFile,
            item,
            "shard name leaves or escapes the model folder",
            "a file inside " + dir,
            "\"" + name + "\"");
      }
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (String suffix : PICKLE_SUFFIXES) {
      if (lower.endsWith(suffix)) {
        throw new FormatException(
            indexFile,
            item,
            "refusing a pickle shard: pickle files can run code and are never read",
            "a .safetensors file",
            "\"" + name + "\"");
      }
    }
    if (!lower.endsWith(".safetensors")) {
      throw new FormatException(
          indexFile, item, "shard is not a safetensors file", "*.safetensors", "\"" + name + "\"");
    }
    // Compare normalized paths: a folder given as ../models/x must still contain its own shards.
    Path folder = dir.toAbsolutePath().normalize();
    Path shard = folder.resolve(name).normalize();
    if (!shard.startsWith(folder)) {
      throw new FormatException(
          indexFile,
          item,
          "shard name escapes the model folder",
          "a file inside " + dir,
          "\"" + name + "\"");
    }
    if (!Files.isRegularFile(shard)) {
      throw new CheckpointIoException(
          shard,
          "shard listed in "
              + indexFile.getFileName()
              + " is missing (needed for tensor '"
              + tensor
              + "')",
          null);
    }
    return shard;
  }
}
