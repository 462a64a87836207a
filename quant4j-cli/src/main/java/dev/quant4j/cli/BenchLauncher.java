package dev.quant4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.FormatException;
import dev.quant4j.json.BoundedJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code quant4j bench --worker} in a fresh JVM like this one (same java, class path and JVM
 * options), so each method's peak RSS and JIT state are its own, and reads back its one JSON line.
 */
final class BenchLauncher {
  private static final String VECTOR_MODULE = "jdk.incubator.vector";

  private BenchLauncher() {}

  /** The command that starts this JVM again on {@link Main} with {@code args}. */
  static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    boolean vectorAdded = false;
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // A debugger agent would make the child fight the parent for the same port.
      if (arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp")) {
        continue;
      }
      vectorAdded |= arg.contains(VECTOR_MODULE);
      cmd.add(arg);
    }
    if (!vectorAdded && ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
      cmd.add("--add-modules=" + VECTOR_MODULE); // e.g. added through JDK_JAVA_OPTIONS
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Runs one worker and returns its result; a worker that dies (out of memory, a crash) becomes a
   * {@link BenchResult.Failed} row with the error it wrote to stderr.
   */
  static BenchResult run(String method, List<String> args) {
    Path errors = null;
    try {
      errors = Files.createTempFile("quant4j-bench-", ".err");
      Process p = new ProcessBuilder(command(args)).redirectError(errors.toFile()).start();
      p.getOutputStream().close(); // the worker reads nothing
      String last = null;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith("{")) {
            last = line;
          }
        }
      }
      int exit = p.waitFor();
      if (exit != 0 || last == null) {
        return new BenchResult.Failed(method, workerError(errors, exit), false);
      }
      return parse(method, last);
    } catch (IOException e) {
      return new BenchResult.Failed(
          method, "cannot run the worker process: " + e.getMessage(), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new BenchResult.Failed(method, "interrupted", false);
    } finally {
      if (errors != null) {
        try {
          Files.deleteIfExists(errors);
        } catch (IOException e) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  private static BenchResult parse(String method, String line) {
    try {
      JsonNode json = BoundedJson.CONFIG.parse(null, line);
      return BenchResult.fromJson(json);
    } catch (FormatException | IllegalArgumentException e) {
      return new BenchResult.Failed(
          method, "worker printed an unreadable result (" + e.getMessage() + "): " + line, false);
    }
  }

  /**
   * The worker's own one-line error ("quant4j: ...") when it wrote one, else the head of what it
   * wrote (for a crash, the exception line of the stack trace rather than its "... 19 more" tail).
   */
  private static String workerError(Path errors, int exit) throws IOException {
    List<String> lines =
        Files.readAllLines(errors, StandardCharsets.UTF_8).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("WARNING: Using incubator modules"))
            .toList();
    String own = null;
    for (String l : lines) {
      if (l.startsWith("quant4j: ")) {
        own = l.substring("quant4j: ".length());
      }
    }
    String message = own != null ? own : lines.isEmpty() ? "no result" : lines.getFirst();
    return message + " (worker exit code " + exit + ")";
  }
}
