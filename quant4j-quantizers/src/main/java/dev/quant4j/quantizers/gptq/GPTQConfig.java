package dev.quant4j.quantizers.gptq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code GPTQConfig} (AutoGPTQ, GPTQModel and optimum files too). {@code bits} is
 * required, so there is no default config; {@link #builder(int)} starts from the other defaults.
 *
 * @param bits 2, 3, 4 or 8
 * @param groupSize columns per scale group, or -1 for one group per column
 * @param format gptq (v1: stored zero points are zero − 1) or gptq_v2
 * @param backend kernel choice, "auto" when unset
 * @param calibration the calibration arguments shared with AWQ
 */
public record GPTQConfig(
    int bits,
    int groupSize,
    String format,
    String backend,
    GptqCalibration calibration,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "gptq";
  public static final List<String> FORMATS = List.of("gptq", "gptq_v2");

  public GPTQConfig {
    ConfigChecks.oneOf("bits", "unsupported bit width", bits, 2, 3, 4, 8);
    ConfigChecks.require(
        groupSize > 0 || groupSize == -1,
        "group_size",
        "must be positive or -1 (per column)",
        "> 0 or -1",
        groupSize);
    ConfigChecks.oneOf("format", "unknown checkpoint format", format, FORMATS);
    backend = backend == null ? "auto" : backend;
    ConfigChecks.require(calibration != null, "damp_percent", "calibration missing", "set", null);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** The defaults with {@code bits}; {@code build()} validates. */
  public static Builder builder(int bits) {
    return new Builder(bits);
  }

  public static GPTQConfig fromDict(Path file, ObjectNode dict) {
    checkLegacyKeys(file, dict);
    ConfigReader r = new ConfigReader(file, dict);
    if (!r.has("bits")) {
      throw r.error("bits", "required", "2, 3, 4 or 8", "absent");
    }
    int bits = r.integer("bits", 4);
    int groupSize = r.integer("group_size", 128);
    String format = r.optString("format", "gptq");
    // The legacy key wins, as in transformers; files with neither are v1.
    String legacy = r.optString("checkpoint_format", null);
    String backend = r.optString("backend", null);
    GptqCalibration calibration = GptqCalibration.read(r);
    String fmt = legacy != null ? legacy : format;
    return r.build(() -> new GPTQConfig(bits, groupSize, fmt, backend, calibration, r.unknown()));
  }

  /**
   * Checks the types of the 4.x keys ({@code use_exllama}, {@code exllama_config}, {@code
   * use_cuda_fp16}), which current transformers no longer writes: they stay unknown keys, written
   * back only when the file has them, but a wrong type is still an error.
   */
  private static void checkLegacyKeys(Path file, ObjectNode dict) {
    ConfigReader legacy = new ConfigReader(file, dict);
    legacy.bool("use_cuda_fp16", false);
    if (legacy.node("use_exllama") != null) {
      legacy.bool("use_exllama", false);
    }
    legacy.optObject("exllama_config", null);
  }

  /** Whether stored zero points are off by one (the v1 layout). */
  public boolean zeroPointsMinusOne() {
    return format.equals("gptq");
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    ConfigDict d =
        ConfigDict.of(QUANT_METHOD)
            .put("bits", bits)
            .put("group_size", groupSize)
            .put("format", format)
            .put("checkpoint_format", format)
            .put("backend", backend);
    return calibration.write(d).unknown(unknownKeys).build();
  }

  /** Against the defaults with the same {@code bits}, which is required and so always written. */
  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), builder(bits).build().toDict(), "bits");
  }

  @Override
  public List<String> modulesToNotConvert() {
    return List.of();
  }

  /** Named arguments, as the Python constructor takes them. */
  public static final class Builder {
    private final int bits;
    private int groupSize = 128;
    private String format = "gptq";
    private String backend;
    private GptqCalibration calibration = GptqCalibration.DEFAULTS;

    private Builder(int bits) {
      this.bits = bits;
    }

    public Builder groupSize(int v) {
      groupSize = v;
      return this;
    }

    public Builder format(String v) {
      format = v;
      return this;
    }

    public Builder backend(String v) {
      backend = v;
      return this;
    }

    public Builder descAct(boolean v) {
      calibration = calibration.withDescAct(v);
      return this;
    }

    public Builder calibration(GptqCalibration v) {
      calibration = v;
      return this;
    }

    public GPTQConfig build() {
      return new GPTQConfig(bits, groupSize, format, backend, calibration, Map.of());
    }
  }
}
