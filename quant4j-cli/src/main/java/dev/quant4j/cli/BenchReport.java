package dev.quant4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * What {@code quant4j bench} prints: the table for people, or the JSON object of CLI.md for
 * scripts.
 *
 * @param bandwidthGbps the memory read bandwidth measured in the same run, GB/s
 */
record BenchReport(
    BenchCommand.BenchModel model,
    int cores,
    double bandwidthGbps,
    BenchWorker.Settings settings,
    List<BenchResult> results) {

  BenchReport {
    results = List.copyOf(results);
  }

  ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.set("model", model.toJson());
    ObjectNode machine = o.putObject("machine");
    machine.put("cores", cores);
    machine.put("read_bandwidth_gbps", bandwidthGbps);
    ArrayNode rows = o.putArray("results");
    results.forEach(r -> rows.add(r.toJson()));
    return o;
  }

  void printTable(PrintWriter out, String kernels) {
    out.printf(
        Locale.ROOT,
        "model:   %s (%s parameters, largest shard %s)%n",
        model.path(),
        count(model.params()),
        bytes(model.largestShardBytes()));
    out.printf(
        Locale.ROOT,
        "machine: %d cores, memory read bandwidth %.1f GB/s; kernels %s, %d threads%n",
        cores,
        bandwidthGbps,
        kernels,
        settings.threads() == 0 ? cores : settings.threads());
    out.printf(
        Locale.ROOT,
        "prefill: %d tokens in one pass; decode: %d tokens one at a time after %d warm-up steps%n%n",
        settings.prefillTokens(),
        settings.decodeTokens(),
        settings.warmupTokens());
    out.printf(
        Locale.ROOT,
        "%-12s %10s %8s %10s %14s %13s %11s%n",
        "method",
        "weights",
        "load",
        "peak RSS",
        "prefill tok/s",
        "decode tok/s",
        "bandwidth");
    for (BenchResult r : results) {
      switch (r) {
        case BenchResult.Measured m ->
            out.printf(
                Locale.ROOT,
                "%-12s %10s %6.1f s %10s %14.1f %13.2f %10.0f%%%n",
                m.method(),
                bytes(m.bytes()),
                m.loadSeconds(),
                m.peakRssBytes() < 0 ? "n/a" : bytes(m.peakRssBytes()),
                m.prefillTokensPerSecond(),
                m.decodeTokensPerSecond(),
                100 * bandwidthUse(m));
        case BenchResult.Failed f -> out.printf(Locale.ROOT, "%-12s %s%n", f.method(), f.message());
      }
    }
    out.printf(
        "%nbandwidth: weight bytes x decode tokens/s over the measured read bandwidth, how close"
            + " decoding gets to streaming the weights at memory speed.%n");
  }

  /** The share of the machine's read bandwidth that decoding spends streaming the weights. */
  double bandwidthUse(BenchResult.Measured m) {
    return m.bytes() * m.decodeTokensPerSecond() / (bandwidthGbps * 1e9);
  }

  /** One line for progress on stderr. */
  static String summary(BenchResult r) {
    return switch (r) {
      case BenchResult.Measured m ->
          String.format(
              Locale.ROOT,
              "%s of weights, loaded in %.1f s, peak RSS %s, prefill %.1f tok/s, decode %.2f tok/s",
              bytes(m.bytes()),
              m.loadSeconds(),
              m.peakRssBytes() < 0 ? "n/a" : bytes(m.peakRssBytes()),
              m.prefillTokensPerSecond(),
              m.decodeTokensPerSecond());
      case BenchResult.Failed f -> (f.notSupported() ? "" : "failed: ") + f.message();
    };
  }

  static String count(long n) {
    return n >= 1_000_000_000L
        ? String.format(Locale.ROOT, "%.2f B", n / 1e9)
        : String.format(Locale.ROOT, "%.2f M", n / 1e6);
  }

  static String bytes(long n) {
    if (n >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.2f GB", n / 1e9);
    }
    if (n >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
  }
}
