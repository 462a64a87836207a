package dev.quant4j.quantizers.bnb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import dev.quant4j.quantization.QuantizationConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * transformers' {@code BitsAndBytesConfig}: LLM.int8() ({@code load_in_8bit}) or 4-bit FP4/NF4
 * ({@code load_in_4bit}). Build one with {@link #builder()}.
 *
 * @param loadIn8bit LLM.int8() row-wise int8 weights
 * @param loadIn4bit 4-bit blockwise weights
 * @param llmInt8Threshold outlier threshold of LLM.int8()
 * @param llmInt8SkipModules modules left in full precision; null for the defaults
 * @param llmInt8EnableFp32CpuOffload keep offloaded modules in fp32
 * @param llmInt8HasFp16Weight keep fp16 master weights (training)
 * @param bnb4bitComputeDtype dtype of the 4-bit matmul (a torch dtype name, "float32" by default)
 * @param bnb4bitQuantType fp4 (the default) or nf4
 * @param bnb4bitUseDoubleQuant quantize the absmax values too
 * @param bnb4bitQuantStorage dtype the packed 4-bit data is stored as
 */
public record BitsAndBytesConfig(
    boolean loadIn8bit,
    boolean loadIn4bit,
    double llmInt8Threshold,
    List<String> llmInt8SkipModules,
    boolean llmInt8EnableFp32CpuOffload,
    boolean llmInt8HasFp16Weight,
    String bnb4bitComputeDtype,
    String bnb4bitQuantType,
    boolean bnb4bitUseDoubleQuant,
    String bnb4bitQuantStorage,
    Map<String, JsonNode> unknownKeys)
    implements QuantizationConfig {
  public static final String QUANT_METHOD = "bitsandbytes";
  public static final List<String> QUANT_TYPES = List.of("fp4", "nf4");
  public static final List<String> QUANT_STORAGES =
      List.of("float16", "float32", "int8", "uint8", "float64", "bfloat16");

  /** Names {@code getattr(torch, name)} resolves to a floating dtype a matmul can run in. */
  public static final List<String> COMPUTE_DTYPES =
      List.of("float16", "bfloat16", "float32", "float64");

  public static final BitsAndBytesConfig DEFAULTS = builder().build();

  public BitsAndBytesConfig {
    ConfigChecks.require(
        !(loadIn4bit && loadIn8bit),
        "load_in_4bit",
        "load_in_4bit and load_in_8bit are both true",
        "at most one of them",
        "both");
    ConfigChecks.require(
        Double.isFinite(llmInt8Threshold),
        "llm_int8_threshold",
        "must be a finite number",
        "a float",
        llmInt8Threshold);
    bnb4bitComputeDtype =
        canonicalDtype(bnb4bitComputeDtype == null ? "float32" : bnb4bitComputeDtype);
    ConfigChecks.oneOf(
        "bnb_4bit_compute_dtype", "unknown compute dtype", bnb4bitComputeDtype, COMPUTE_DTYPES);
    // Stricter than transformers, which leaves an unknown type for bitsandbytes to reject later.
    ConfigChecks.oneOf("bnb_4bit_quant_type", "unknown 4-bit type", bnb4bitQuantType, QUANT_TYPES);
    bnb4bitQuantStorage =
        canonicalDtype(bnb4bitQuantStorage == null ? "uint8" : bnb4bitQuantStorage);
    ConfigChecks.oneOf(
        "bnb_4bit_quant_storage", "unknown storage dtype", bnb4bitQuantStorage, QUANT_STORAGES);
    llmInt8SkipModules = ConfigChecks.copyOrNull(llmInt8SkipModules);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static BitsAndBytesConfig fromDict(Path file, ObjectNode dict) {
    ConfigReader r = new ConfigReader(file, dict);
    Builder b = builder();
    b.loadIn8bit = flag(r, "load_in_8bit");
    b.loadIn4bit = flag(r, "load_in_4bit");
    b.threshold = r.number("llm_int8_threshold", 6.0);
    b.skipModules = r.optStrings("llm_int8_skip_modules", null);
    b.enableFp32CpuOffload = r.bool("llm_int8_enable_fp32_cpu_offload", false);
    b.hasFp16Weight = r.bool("llm_int8_has_fp16_weight", false);
    b.computeDtype = r.optString("bnb_4bit_compute_dtype", null);
    b.quantType = r.optString("bnb_4bit_quant_type", "fp4");
    b.useDoubleQuant = r.bool("bnb_4bit_use_double_quant", false);
    b.quantStorage = r.optString("bnb_4bit_quant_storage", null);
    b.unknownKeys = r.unknown();
    return r.build(b::build);
  }

  /**
   * transformers writes each flag twice, as {@code load_in_4bit} and {@code _load_in_4bit}; either
   * may be alone in a file, and two that disagree are an error rather than a guess.
   */
  private static boolean flag(ConfigReader r, String key) {
    String shadow = "_" + key;
    boolean hasPublic = r.has(key);
    boolean hasShadow = r.has(shadow);
    boolean value = r.bool(key, false);
    boolean shadowValue = r.bool(shadow, value);
    if (hasPublic && hasShadow && value != shadowValue) {
      throw r.error(shadow, "disagrees with " + key, value, shadowValue);
    }
    return hasPublic || !hasShadow ? value : shadowValue;
  }

  /** torch dtype names as transformers writes them: no "torch." prefix, no aliases. */
  private static String canonicalDtype(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    n = n.startsWith("torch.") ? n.substring("torch.".length()) : n;
    return switch (n) {
      case "half" -> "float16";
      case "float" -> "float32";
      case "double" -> "float64";
      default -> n;
    };
  }

  /** Whether this config quantizes at all (neither flag set means it is inert). */
  public boolean quantizes() {
    return loadIn4bit || loadIn8bit;
  }

  @Override
  public String quantMethod() {
    return QUANT_METHOD;
  }

  @Override
  public ObjectNode toDict() {
    return ConfigDict.of(QUANT_METHOD)
        .put("_load_in_4bit", loadIn4bit)
        .put("_load_in_8bit", loadIn8bit)
        .put("load_in_4bit", loadIn4bit)
        .put("load_in_8bit", loadIn8bit)
        .put("llm_int8_threshold", (Double) llmInt8Threshold)
        .putStrings("llm_int8_skip_modules", llmInt8SkipModules)
        .put("llm_int8_enable_fp32_cpu_offload", llmInt8EnableFp32CpuOffload)
        .put("llm_int8_has_fp16_weight", llmInt8HasFp16Weight)
        .put("bnb_4bit_compute_dtype", bnb4bitComputeDtype)
        .put("bnb_4bit_quant_type", bnb4bitQuantType)
        .put("bnb_4bit_use_double_quant", bnb4bitUseDoubleQuant)
        .put("bnb_4bit_quant_storage", bnb4bitQuantStorage)
        .unknown(unknownKeys)
        .build();
  }

  @Override
  public ObjectNode toDiffDict() {
    return ConfigDict.diff(toDict(), DEFAULTS.toDict());
  }

  @Override
  public List<String> modulesToNotConvert() {
    return llmInt8SkipModules == null ? List.of() : llmInt8SkipModules;
  }

  /** Named arguments, as the Python constructor takes them; unset ones keep their defaults. */
  public static final class Builder {
    private boolean loadIn8bit;
    private boolean loadIn4bit;
    private double threshold = 6.0;
    private List<String> skipModules;
    private boolean enableFp32CpuOffload;
    private boolean hasFp16Weight;
    private String computeDtype;
    private String quantType = "fp4";
    private boolean useDoubleQuant;
    private String quantStorage;
    private Map<String, JsonNode> unknownKeys = Map.of();

    private Builder() {}

    public Builder loadIn8bit(boolean v) {
      loadIn8bit = v;
      return this;
    }

    public Builder loadIn4bit(boolean v) {
      loadIn4bit = v;
      return this;
    }

    public Builder threshold(double v) {
      threshold = v;
      return this;
    }

    public Builder skipModules(List<String> v) {
      skipModules = v;
      return this;
    }

    public Builder enableFp32CpuOffload(boolean v) {
      enableFp32CpuOffload = v;
      return this;
    }

    public Builder hasFp16Weight(boolean v) {
      hasFp16Weight = v;
      return this;
    }

    public Builder computeDtype(String v) {
      computeDtype = v;
      return this;
    }

    public Builder quantType(String v) {
      quantType = v;
      return this;
    }

    public Builder useDoubleQuant(boolean v) {
      useDoubleQuant = v;
      return this;
    }

    public Builder quantStorage(String v) {
      quantStorage = v;
      return this;
    }

    /** Validates and builds; throws {@link dev.quant4j.error.ConfigException} naming the key. */
    public BitsAndBytesConfig build() {
      return new BitsAndBytesConfig(
          loadIn8bit,
          loadIn4bit,
          threshold,
          skipModules,
          enableFp32CpuOffload,
          hasFp16Weight,
          computeDtype,
          quantType,
          useDoubleQuant,
          quantStorage,
          unknownKeys);
    }
  }
}
