package dev.quant4j.quantizers.awq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantizers.gptq.GptqCalibration;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * transformers' {@code AwqConfig} (AutoAWQ and llm-awq files too). In transformers 5 it subclasses
 * {@code GPTQConfig}, so it also writes GPTQ's calibration keys. The 4.x fusing keys ({@code
 * do_fuse}, {@code fuse_max_seq_len}, {@code modules_to_fuse}, {@code exllama_config}) are accepted
 * and written back unchanged.
 *
 * @param bits weight bits; only 4 has kernels, which loading reports, but the config accepts what
 *     transformers accepts
 * @param groupSize input features per scale group
 * @param zeroPoint asymmetric (with zero points) rather than symmetric
 * @param version packed layout: gemm, gemv, gemv_fast, llm-awq, exllama or ipex
 * @param backend kernel choice ("auto"; the legacy "autoawq" means auto)
 * @param modulesToNotConvert modules left in full precision; null for the defaults
 * @param calibration the calibration arguments inherited from GPTQ
 */
public record AwqConfig(
    int bits,
    int groupSize,
    boolean zeroPoint,
    String version,
    String backend,
    List<String> modulesToNotConvert,
    GptqCalibration calibration,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "awq";
  public static final List<String> VERSIONS =
      List.of("gemm", "gemv", "gemv_fast", "llm-awq", "exllama", "ipex");
  public static final AwqConfig DEFAULTS =
      new AwqConfig(4, 128, true, "gemm", "auto", null, GptqCalibration.DEFAULTS, Map.of());

  public AwqConfig {
    ConfigChecks.require(bits >= 1 && bits <= 8, "bits", "out of range", "1..8", bits);
    ConfigChecks.require(
        groupSize > 0 || groupSize == -1,
        "group_size",
        "must be positive or -1 (per column)",
        "> 0 or -1",
        groupSize);
    ConfigChecks.oneOf("version", "unknown AWQ version", version, VERSIONS);
    backend = backend == null || backend.equals("autoawq") ? "auto" : backend;
    ConfigChecks.require(calibration != null, "damp_percent", "calibration missing", "set", null);
    modulesToNotConvert = ConfigChecks.copyOrNull(modulesToNotConvert);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  /** AutoAWQ's usual config: 4 bits, groups of 128, zero points, with another version. */
  public static AwqConfig version(String version) {
    return new AwqConfig(4, 128, true, version, "auto", null, GptqCalibration.DEFAULTS, Map.of());
  }

  public static AwqConfig fromDict(Path file, ObjectNode dict) {
    checkFusingKeys(file, dict);
    ConfigReader r = new ConfigReader(file, dict);
    int bits = r.integer("bits", 4);
    int groupSize = r.integer("group_size", 128);
    boolean zeroPoint = r.bool("zero_point", true);
    String backend = r.optString("backend", null);
    // transformers keeps the layout in `format` and writes it as `version` too; older files
    // (AutoAWQ) have only `version`, sometimes upper-case.
    String format = r.optString("format", null);
    String version = r.optString("version", format);
    r.ignore("checkpoint_format");
    String v = version == null ? "gemm" : version.toLowerCase(Locale.ROOT);
    String resolved = "llm-awq".equals(backend) ? "llm-awq" : v;
    List<String> skip = r.optStrings("modules_to_not_convert", null);
    GptqCalibration calibration = GptqCalibration.read(r);
    return r.build(
        () ->
            new AwqConfig(
                bits, groupSize, zeroPoint, resolved, backend, skip, calibration, r.unknown()));
  }

  /**
   * Checks the types of the 4.x fusing keys, which stay unknown keys (written back only when the
   * file has them) since transformers 5 dropped them.
   */
  private static void checkFusingKeys(Path file, ObjectNode dict) {
    ConfigReader legacy = new ConfigReader(file, dict);
    if (legacy.node("do_fuse") != null) {
      legacy.bool("do_fuse", false);
    }
    legacy.optInteger("fuse_max_seq_len", null);
    legacy.optObject("modules_to_fuse", null);
    legacy.optObject("exllama_config", null);
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
            .put("zero_point", zeroPoint)
            .put("format", version)
            .put("version", version)
            .put("backend", backend)
            .putStrings("modules_to_not_convert", modulesToNotConvert);
    return calibration.write(d).unknown(unknownKeys).build();
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return modulesToNotConvert == null ? List.of() : modulesToNotConvert;
  }
}
