package dev.quant4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One method's row of {@code quant4j bench}: measured, or why not. Travels from the worker process
 * to the parent as one JSON line, the same object {@code --json} prints in {@code results}.
 */
sealed interface BenchResult {
  String method();

  /**
   * What a worker measured.
   *
   * @param bytes the weights as stored for inference
   * @param loadSeconds wall-clock time of loading (and quantizing)
   * @param peakRssBytes the worker's peak resident set (VmHWM), -1 where the OS does not say
   * @param prefillTokensPerSecond one forward pass over the prompt, after a warm-up pass
   * @param decodeTokensPerSecond one token at a time, after warm-up steps
   */
  record Measured(
      String method,
      long bytes,
      double loadSeconds,
      long peakRssBytes,
      double prefillTokensPerSecond,
      double decodeTokensPerSecond)
      implements BenchResult {}

  /**
   * A method that could not be measured.
   *
   * @param notSupported the method exists but quant4j does not implement it yet (an expected row,
   *     not a failure of the bench)
   */
  record Failed(String method, String message, boolean notSupported) implements BenchResult {}

  default ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("method", method());
    switch (this) {
      case Measured m -> {
        o.put("bytes", m.bytes());
        o.put("load_s", m.loadSeconds());
        o.put("peak_rss_bytes", m.peakRssBytes());
        o.put("prefill_tok_s", m.prefillTokensPerSecond());
        o.put("decode_tok_s", m.decodeTokensPerSecond());
      }
      case Failed f -> {
        for (String key :
            new String[] {"bytes", "load_s", "peak_rss_bytes", "prefill_tok_s", "decode_tok_s"}) {
          o.putNull(key);
        }
        o.put("error", f.message());
        o.put("not_supported", f.notSupported());
      }
    }
    return o;
  }

  /** Reads what {@link #toJson} wrote; throws IllegalArgumentException when it is not that. */
  static BenchResult fromJson(JsonNode o) {
    String method = text(o, "method");
    if (o.hasNonNull("error")) {
      return new Failed(method, text(o, "error"), o.path("not_supported").asBoolean(false));
    }
    return new Measured(
        method,
        number(o, "bytes").asLong(),
        number(o, "load_s").asDouble(),
        number(o, "peak_rss_bytes").asLong(),
        number(o, "prefill_tok_s").asDouble(),
        number(o, "decode_tok_s").asDouble());
  }

  private static String text(JsonNode o, String key) {
    JsonNode v = o.get(key);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("\"" + key + "\": expected a string, got " + v);
    }
    return v.asText();
  }

  private static JsonNode number(JsonNode o, String key) {
    JsonNode v = o.get(key);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("\"" + key + "\": expected a number, got " + v);
    }
    return v;
  }
}
