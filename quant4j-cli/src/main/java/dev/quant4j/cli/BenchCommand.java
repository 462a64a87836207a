package dev.quant4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.load.SyntheticCheckpoint;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.safetensors.Checkpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quant4j bench}: end-to-end figures per quantization method (load time, peak RSS, prefill
 * and decode speed) on a synthetic TinyLlama-1.1B-shaped checkpoint or a given folder, each method
 * in a fresh JVM, next to the machine's memory read bandwidth measured in the same run.
 */
@Command(
    name = "bench",
    description =
        "End-to-end benchmark per quantization method: load time, peak RSS, prefill and decode tokens/s.")
final class BenchCommand implements Callable<Integer> {
  /** "bf16" in --methods: the checkpoint as stored, no quantization. */
  static final String NO_QUANTIZATION = "bf16";

  static final String ALL_METHODS = "all";

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "DIR",
      description =
          "Model folder (default: a synthetic TinyLlama-1.1B-shaped checkpoint in --cache).")
  Path model;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description =
          "Where the synthetic checkpoint is written once and reused (default ~/.cache/quant4j/bench/tinyllama-1.1b-synthetic).")
  Path cache;

  @Option(
      names = "--shard-size",
      paramLabel = "SIZE",
      defaultValue = "1GB",
      converter = SizeConverter.class,
      description =
          "Shard size of the synthetic checkpoint: bytes, or with KB/MB/GB/KiB/MiB/GiB (default ${DEFAULT-VALUE}).")
  long shardSize;

  @Option(
      names = "--methods",
      paramLabel = "LIST",
      split = ",",
      defaultValue = "bf16,bnb-int8,bnb-nf4",
      description =
          "Comma-separated presets or quantization_config files; bf16 = no quantization; all = bf16 and every preset (default ${DEFAULT-VALUE}).")
  List<String> methods;

  @Option(
      names = "--prefill",
      paramLabel = "N",
      defaultValue = "128",
      description = "Prompt tokens of the timed prefill (default ${DEFAULT-VALUE}).")
  int prefill;

  @Option(
      names = "--decode",
      paramLabel = "N",
      defaultValue = "64",
      description = "Tokens of the timed decode (default ${DEFAULT-VALUE}).")
  int decode;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "16",
      description = "Untimed decode steps first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "0",
      description = "Kernel threads (default: one per core).")
  int threads;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1234",
      description = "Seed of the random prompt ids (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--bandwidth-mib",
      paramLabel = "MIB",
      defaultValue = "1024",
      description = "Memory the bandwidth probe reads, in MiB (default ${DEFAULT-VALUE}).")
  int bandwidthMib;

  @Option(names = "--json", description = "Print only the JSON object.")
  boolean json;

  /** Internal: measure this one method in this process and print its JSON line. */
  @Option(names = "--worker", paramLabel = "METHOD", hidden = true)
  String worker;

  @Override
  public Integer call() {
    checkPositive("--prefill", prefill);
    checkPositive("--decode", decode);
    checkPositive("--bandwidth-mib", bandwidthMib);
    if (warmup < 0 || threads < 0) {
      throw new UsageException(
          "--warmup and --threads must be >= 0, got " + warmup + " and " + threads);
    }
    BenchWorker.Settings settings =
        new BenchWorker.Settings(prefill, decode, warmup, threads, seed);
    QuantizationSpecs specs = QuantizationSpecs.load();
    if (worker != null) {
      if (model == null) {
        throw new UsageException("--worker needs -m DIR");
      }
      BenchResult r = BenchWorker.measure(model, worker, quantization(specs, worker), settings);
      spec.commandLine().getOut().println(Json.write(r.toJson()));
      spec.commandLine().getOut().flush();
      return 0;
    }
    List<String> names = expand(specs);
    names.forEach(n -> quantization(specs, n)); // a typo fails now, not after minutes of work
    PrintWriter err = spec.commandLine().getErr();
    Path dir = model != null ? model : synthetic(err);
    BenchModel info = BenchModel.of(dir);
    int cores = Runtime.getRuntime().availableProcessors();
    progress(err, "measuring memory read bandwidth (%d MiB, %d threads)", bandwidthMib, cores);
    double bandwidth = BenchMachine.readBandwidthGbps((long) bandwidthMib << 20, cores, 5);
    List<BenchResult> results = new ArrayList<>();
    for (String method : names) {
      progress(err, "%s: loading and measuring in a fresh JVM", method);
      BenchResult r = BenchLauncher.run(method, workerArgs(dir, method));
      progress(err, "%s: %s", method, BenchReport.summary(r));
      results.add(r);
    }
    BenchReport report = new BenchReport(info, cores, bandwidth, settings, results);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(report.toJson()));
    } else {
      report.printTable(out, Kernels.selection().name());
    }
    out.flush();
    boolean failed =
        results.stream().anyMatch(r -> r instanceof BenchResult.Failed f && !f.notSupported());
    return failed ? Quant4jCommand.EXIT_BAD_INPUT : 0;
  }

  private List<String> expand(QuantizationSpecs specs) {
    List<String> names = new ArrayList<>();
    for (String m : methods) {
      String name = m.strip();
      if (name.equals(ALL_METHODS)) {
        names.add(NO_QUANTIZATION);
        names.addAll(specs.presets().names());
      } else if (!name.isEmpty()) {
        names.add(name);
      }
    }
    if (names.isEmpty()) {
      throw new UsageException("--methods names no method");
    }
    return names;
  }

  private static Optional<QuantizationConfig> quantization(QuantizationSpecs specs, String method) {
    return method.equals(NO_QUANTIZATION) ? Optional.empty() : Optional.of(specs.resolve(method));
  }

  private Path synthetic(PrintWriter err) {
    Path dir =
        cache != null
            ? cache
            : Path.of(
                System.getProperty("user.home"),
                ".cache",
                "quant4j",
                "bench",
                "tinyllama-1.1b-synthetic");
    if (!Files.exists(dir)) {
      progress(err, "writing the synthetic TinyLlama-1.1B checkpoint (~2.2 GB, once) to %s", dir);
    }
    return new SyntheticCheckpoint(
            SyntheticCheckpoint.Dimensions.TINYLLAMA_1_1B,
            SyntheticCheckpoint.DEFAULT_SEED,
            shardSize)
        .ensure(dir);
  }

  private List<String> workerArgs(Path dir, String method) {
    List<String> args = new ArrayList<>(List.of("bench", "--worker", method, "-m", dir.toString()));
    args.addAll(
        List.of("--prefill", "" + prefill, "--decode", "" + decode, "--warmup", "" + warmup));
    args.addAll(List.of("--threads", "" + threads, "--seed", "" + seed));
    return args;
  }

  private static void checkPositive(String option, int value) {
    if (value <= 0) {
      throw new UsageException(option + " must be > 0, got " + value);
    }
  }

  private static void progress(PrintWriter err, String format, Object... args) {
    err.printf(Locale.ROOT, "bench: " + format + "%n", args);
    err.flush();
  }

  /** Sizes as transformers' max_shard_size takes them: KB/MB/GB are powers of 10, KiB… of 2. */
  static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE =
        Pattern.compile("(\\d+)\\s*(|B|KB|MB|GB|KIB|MIB|GIB)", Pattern.CASE_INSENSITIVE);

    @Override
    public Long convert(String value) {
      Matcher m = SIZE.matcher(value.strip());
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException(
            "expected a size like 1GB, 500MB or 1073741824, got '" + value + "'");
      }
      long unit =
          switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            default -> 1L;
          };
      try {
        long size = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        if (size <= 0) {
          throw new CommandLine.TypeConversionException(
              "size must be positive, got '" + value + "'");
        }
        return size;
      } catch (ArithmeticException | NumberFormatException e) {
        throw new CommandLine.TypeConversionException("size too large: '" + value + "'");
      }
    }
  }

  /** The model line of the report: what was measured. */
  record BenchModel(Path path, long params, long largestShardBytes) {
    static BenchModel of(Path dir) {
      try (Checkpoint c = Checkpoint.open(dir)) {
        long params = 0;
        for (String name : c.tensorNames()) {
          params += c.info(name).shape().numel();
        }
        long largest = 0;
        for (Path shard : c.shardFiles()) {
          largest = Math.max(largest, shard.toFile().length());
        }
        return new BenchModel(dir.toAbsolutePath().normalize(), params, largest);
      }
    }

    ObjectNode toJson() {
      ObjectNode o = Json.object();
      o.put("path", path.toString());
      o.put("params", params);
      o.put("largest_shard_bytes", largestShardBytes);
      return o;
    }
  }
}
