package dev.quant4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.Quant4jException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.safetensors.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quant4j inspect [--json] PATH...}: fully validates each safetensors file, index or model
 * folder (every check runs before anything else is read), prints what it holds, and exits 1 when
 * any path is invalid, after checking them all.
 */
@Command(
    name = "inspect",
    description =
        "Validate safetensors files, index files or model folders and list their tensors.")
final class InspectCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "One JSON object per path on stdout.")
  boolean json;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or model folders.")
  List<Path> paths = new ArrayList<>();

  /** What one path holds. */
  private record Report(
      List<TensorInfo> tensors,
      int files,
      long bytes,
      Map<DType, long[]> byDtype,
      String quantization) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean allOk = true;
    for (Path path : paths) {
      Report report = null;
      String error = null;
      try {
        report = inspect(path);
      } catch (Quant4jException e) {
        error = e.userMessage();
        allOk = false;
        err.println("quant4j: " + error);
      } catch (RuntimeException e) {
        // Keep checking the other paths: one unexpected failure must not hide their verdicts.
        error = path + ": internal error: " + e;
        allOk = false;
        err.println("quant4j: " + error);
      }
      if (json) {
        out.println(toJson(path, report, error));
      } else if (report != null) {
        printHuman(out, path, report);
      }
    }
    out.flush();
    err.flush();
    return allOk ? 0 : Quant4jCommand.EXIT_BAD_INPUT;
  }

  private static Report inspect(Path path) {
    try (Checkpoint ckpt = Checkpoint.open(path)) {
      List<TensorInfo> tensors = new ArrayList<>();
      Map<DType, long[]> byDtype = new EnumMap<>(DType.class);
      long bytes = 0;
      for (String name : ckpt.tensorNames()) {
        TensorInfo t = ckpt.info(name);
        tensors.add(t);
        long[] countAndBytes = byDtype.computeIfAbsent(t.dtype(), d -> new long[2]);
        countAndBytes[0]++;
        countAndBytes[1] += t.byteSize();
        bytes += t.byteSize();
      }
      return new Report(tensors, ckpt.shardFiles().size(), bytes, byDtype, quantization(path));
    }
  }

  /** {@code quantization_config.quant_method} of the model's config.json, or null. */
  private static String quantization(Path path) {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    Path config = dir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return null;
    }
    JsonNode method =
        BoundedJson.CONFIG.read(config).path("quantization_config").path("quant_method");
    return method.isTextual() ? method.asText() : null;
  }

  private void printHuman(PrintWriter out, Path path, Report r) {
    out.printf(
        java.util.Locale.ROOT,
        "%s: ok, %d tensors, %s in %d file%s, quantization: %s%n",
        path,
        r.tensors().size(),
        size(r.bytes()),
        r.files(),
        r.files() == 1 ? "" : "s",
        r.quantization() == null ? "none" : r.quantization());
    r.byDtype()
        .forEach(
            (d, cb) ->
                out.printf(
                    java.util.Locale.ROOT,
                    "  %-12s %6d tensors %12s%n",
                    d.safetensorsName(),
                    cb[0],
                    size(cb[1])));
    int width = r.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(4);
    for (TensorInfo t : r.tensors()) {
      out.printf(
          java.util.Locale.ROOT,
          "  %-" + width + "s  %-11s %-18s %12s%n",
          t.name(),
          t.dtype().safetensorsName(),
          t.shape(),
          size(t.byteSize()));
    }
  }

  private static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String toJson(Path path, Report r, String error) {
    ObjectMapper mapper = BoundedJson.CONFIG.mapper();
    ObjectNode o = mapper.createObjectNode();
    o.put("path", path.toString());
    o.put("ok", r != null);
    o.put("error", error);
    if (r == null) {
      o.putNull("tensors");
      o.putNull("bytes");
      o.putNull("dtypes");
      o.putNull("quantization");
      o.putNull("files");
    } else {
      o.put("tensors", r.tensors().size());
      o.put("bytes", r.bytes());
      ObjectNode dtypes = o.putObject("dtypes");
      r.byDtype().forEach((d, cb) -> dtypes.put(d.safetensorsName(), cb[0]));
      o.put("quantization", r.quantization());
      o.put("files", r.files());
    }
    try {
      return mapper.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a tree of plain values", e);
    }
  }
}
