package dev.quant4j.quantizers.quanto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizedWeight;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code quanto_qmap.json}, optimum-quanto's {@code quantization_map}: {@code {"<module>":
 * {"weights": "qint4", "activations": "none"}, ...}}, written with {@code json.dump(indent=4)}.
 */
public final class QuantoQmap {
  public static final String FILE_NAME = "quanto_qmap.json";
  static final String NONE = "none";

  /**
   * One module's qtypes, as named in the file.
   *
   * @param weights a qtype name ({@code qint4}...) or {@code none}
   * @param activations a qtype name or {@code none}
   */
  public record Entry(String weights, String activations) {
    public boolean quantizesWeights() {
      return !NONE.equals(weights);
    }

    public boolean quantizesActivations() {
      return !NONE.equals(activations);
    }
  }

  private QuantoQmap() {}

  /** Reads and checks the map's structure (not yet whether quant4j runs its qtypes). */
  static Map<String, Entry> read(Path file) {
    JsonNode root = BoundedJson.CONFIG.read(file);
    if (!root.isObject()) {
      throw new ConfigException(
          file, null, "must be a JSON object", "an object", root.getNodeType());
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (var e : root.properties()) {
      JsonNode v = e.getValue();
      if (!v.isObject()) {
        throw new ConfigException(
            file,
            e.getKey(),
            "each module maps to an object",
            "{\"weights\": ..., \"activations\": ...}",
            v);
      }
      out.put(
          e.getKey(),
          new Entry(
              name(file, e.getKey(), v, "weights"), name(file, e.getKey(), v, "activations")));
    }
    return out;
  }

  private static String name(Path file, String module, JsonNode entry, String key) {
    JsonNode n = entry.get(key);
    if (n == null || n.isNull()) {
      return NONE; // quanto writes "none"; a missing key means the same to requantize
    }
    if (!n.isTextual()) {
      throw new ConfigException(file, module + "." + key, "must be a qtype name", "a string", n);
    }
    return n.textValue();
  }

  /**
   * The map of {@code weights} (by parameter name), as {@code json.dump(qmap, f, indent=4)}, each
   * module with its weight and activation qtypes.
   */
  static byte[] write(Map<String, QuantizedWeight> weights) {
    List<String> names = new ArrayList<>(weights.keySet());
    names.sort(MODULE_ORDER);
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < names.size(); i++) {
      String module = ModuleFilter.moduleOf(names.get(i));
      sb.append(i == 0 ? "\n" : ",\n");
      sb.append("    ").append(quote(module)).append(": {\n");
      sb.append("        \"weights\": ")
          .append(quote(weights.get(names.get(i)).format()))
          .append(",\n");
      QuantoQtype acts =
          weights.get(names.get(i)) instanceof QuantoLinear q ? q.activations() : null;
      sb.append("        \"activations\": ")
          .append(quote(acts == null ? NONE : acts.qmapName()))
          .append("\n    }");
    }
    sb.append(names.isEmpty() ? "}" : "\n}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Module paths with their numbers compared as numbers ({@code layers.2} before {@code
   * layers.10}).
   */
  static final Comparator<String> MODULE_ORDER =
      (a, b) -> {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
          int c;
          if (x[i].matches("\\d{1,9}") && y[i].matches("\\d{1,9}")) {
            c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
          } else {
            c = x[i].compareTo(y[i]);
          }
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(x.length, y.length);
      };

  /**
   * A JSON string as Python's {@code json.dumps} writes it (ASCII only, {@code \\uXXXX} escapes).
   */
  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
