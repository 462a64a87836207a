package dev.quant4j.quantizers.compressed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * compressed-tensors on the JVM: quantizes float weights while loading as llm-compressor's min/max
 * round-to-nearest path does (bit-exact codes and scales, see {@link MinMaxQuantization}), reads
 * {@code quantization_status: compressed} checkpoints in the pack-quantized, naive-quantized,
 * int-quantized, float-quantized, nvfp4-pack-quantized and mxfp4-pack-quantized formats, and saves
 * in them; weights run on the shared {@code GroupedIntMatrix} (int), {@code Fp8Matrix} (fp8) and
 * {@code Packed4BitMatrix} (fp4, E2M1 codebook) layouts. Which modules are quantized follows the
 * config's {@code targets} and {@code ignore} ({@link ModuleSchemes}), not transformers' default
 * skip list.
 */
final class CompressedTensorsQuantizer implements Quantizer {
  private static final List<String> MINMAX_OBSERVERS =
      List.of("minmax", "memoryless_minmax", "static_minmax", "memoryless");

  private final CompressedTensorsConfig config;
  private final CompressedTensorsConfig written;
  private final ModuleSchemes schemes;
  private final Map<String, String> formatByGroup = new LinkedHashMap<>();

  // Float copies of the weights being quantized, reused across weights (one per thread at work).
  private final ConcurrentLinkedDeque<float[]> scratch = new ConcurrentLinkedDeque<>();

  CompressedTensorsQuantizer(CompressedTensorsConfig config) {
    if (config.kvCacheScheme() != null) {
      throw new NotSupportedException("compressed-tensors kv_cache_scheme (KV cache quantization)");
    }
    if (!config.sparsityConfig().isEmpty()) {
      throw new NotSupportedException(
          "compressed-tensors sparsity_config (" + config.sparsityConfig().path("format") + ")");
    }
    JsonNode transforms = config.unknownKeys().get("transform_config");
    if (transforms != null && !transforms.isNull() && !transforms.isEmpty()) {
      throw new NotSupportedException("compressed-tensors transform_config (rotations)");
    }
    config.configGroups().forEach((name, s) -> SchemeFormats.check(config, name, s));
    config
        .configGroups()
        .forEach((name, s) -> formatByGroup.put(name, SchemeFormats.of(config.format(), s)));
    formatByGroup.forEach((name, f) -> refuseLegacyPacking(config, name, f));
    this.config = config;
    this.written = SchemeFormats.compressed(config);
    this.schemes = new ModuleSchemes(config.configGroups(), config.ignore());
  }

  /**
   * compressed-tensors before 0.17 packed 3, 5, 6 and 7-bit values {@code 32 / bits} to a word,
   * leaving the high bits unused; 0.17 packs them densely. Files that say they are older are
   * refused rather than misread (files without a version are told apart by their word count).
   */
  private static void refuseLegacyPacking(CompressedTensorsConfig c, String group, String format) {
    QuantizationArgs w = c.configGroups().get(group).weights();
    JsonNode version = c.unknownKeys().get("version");
    if (w == null
        || !format.equals(PackQuantized.FORMAT)
        || Integer.bitCount(w.numBits()) == 1
        || version == null
        || !version.isTextual()) {
      return;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(version.textValue());
    if (m.lookingAt() && Integer.parseInt(m.group(1)) == 0 && Integer.parseInt(m.group(2)) < 17) {
      throw new NotSupportedException(
          "compressed-tensors "
              + version.textValue()
              + " packing of "
              + w.numBits()
              + "-bit weights (config_groups."
              + group
              + ": before 0.17 they were not packed densely)");
    }
  }

  /** The config as saved: status {@code compressed}, the format of what was written. */
  @Override
  public QuantizationConfig config() {
    return written;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true, false);
  }

  /** The widest of the groups' layouts: codes plus an f32 scale and zero per 32 columns at most. */
  @Override
  public long estimateStorageBytes(long rows, long cols) {
    long worst = 0;
    for (QuantizationScheme s : config.configGroups().values()) {
      QuantizationArgs w = s.weights();
      if (w != null) {
        int bits =
            Fp4Scheme.isFp4(w)
                ? 4
                : w.type().equals("float") ? 8 : KernelLayouts.containerBits(w.numBits());
        worst = Math.max(worst, rows * cols * bits / 8 + 8 * rows * Math.ceilDiv(cols, 32));
      }
    }
    return worst == 0 ? rows * cols * 2 : worst;
  }

  /** The Linear weights whose module a group targets with weight quantization. */
  @Override
  public Set<String> weightsToConvert(List<String> linearWeights, String outputHeadWeight) {
    Set<String> out = new LinkedHashSet<>();
    for (String weight : linearWeights) {
      var group = schemes.forLinear(ModuleFilter.moduleOf(weight));
      if (group.isEmpty()) {
        continue;
      }
      if (group.get().scheme().weights() == null) {
        if (group.get().scheme().inputActivations() != null) {
          throw new NotSupportedException(
              "compressed-tensors activation-only quantization (config_groups."
                  + group.get().name()
                  + " on "
                  + weight
                  + ")");
        }
        continue;
      }
      out.add(weight);
    }
    return out;
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    ModuleSchemes.Group group = group(weight.name());
    QuantizationArgs args = group.scheme().weights();
    Path file = weight.source();
    String name = weight.name();
    if (args.actorder() != null) {
      throw new NotSupportedException(
          file, "compressed-tensors actorder '" + args.actorder() + "' (needs GPTQ calibration)");
    }
    if (args.observer() != null && !MINMAX_OBSERVERS.contains(args.observer())) {
      throw new NotSupportedException(
          file, "compressed-tensors observer '" + args.observer() + "'");
    }
    long[] dims = weight.shape().dims();
    if (dims.length != 2 || weight.numel() > Integer.MAX_VALUE - 8 || weight.numel() == 0) {
      throw new FormatException(
          file,
          name,
          "compressed-tensors quantizes 2-D weights of at most 2^31 elements",
          "[out_features, in_features]",
          weight.shape());
    }
    if (!weight.dtype().isFloatingPoint()) {
      throw new FormatException(
          file, name, "expected a float weight", "BF16, F16 or F32", weight.dtype());
    }
    int rows = (int) dims[0];
    int cols = (int) dims[1];
    Fp4Scheme fp4 = Fp4Scheme.ofFormat(formatByGroup.get(group.name()));
    if (fp4 != null) {
      return quantizeFp4(fp4, group, weight, rows, cols);
    }
    ScaleGrid grid = ScaleGrid.of(args, rows, cols, file, name);
    QuantizationArgs in = group.scheme().inputActivations();
    ActivationQuantizer activations = InputActivations.forQuantizing(file, in, name);
    requireActivationGroups(file, name, in, cols);
    ScaleDtype dt = ScaleDtype.forWeight(weight.dtype());
    int n = rows * cols;
    float[] values = scratch.pollFirst();
    if (values == null || values.length < n) {
      values = new float[n];
    }
    try {
      weight.copyToFloats(0, values, 0, n);
      boolean isFloat = args.type().equals("float");
      int bits = args.numBits();
      MinMaxQuantization.QParams qp =
          MinMaxQuantization.qparams(values, grid, bits, isFloat, args.symmetric(), dt);
      String format = formatByGroup.get(group.name());
      if (isFloat) {
        byte[] codes = MinMaxQuantization.fp8Codes(values, grid, qp, dt);
        return NaiveQuantized.write(name, codes, true, grid, qp, 8, dt, activations);
      }
      byte[] q = MinMaxQuantization.intCodes(values, grid, qp, bits, dt);
      return format.equals(PackQuantized.FORMAT)
          ? PackQuantized.write(name, q, grid, qp, bits, dt, activations)
          : NaiveQuantized.write(name, q, false, grid, qp, bits, dt, activations);
    } finally {
      scratch.addFirst(values);
    }
  }

  private QuantizedWeight quantizeFp4(
      Fp4Scheme fp4, ModuleSchemes.Group group, TensorView weight, int rows, int cols) {
    QuantizationArgs args = group.scheme().weights();
    if (group.scheme().inputActivations() != null) {
      throw new NotSupportedException(
          weight.source(),
          "quantizing NVFP4 input activations while loading "
              + weight.name()
              + " (their input_global_scale needs calibration data; use NVFP4A16)");
    }
    if (fp4 == Fp4Scheme.MXFP4 && !fp4.namesScaleDtype(args)) {
      // without scale_dtype uint8 calculate_qparams makes plain amax / 6 scales, not E8M0 ones
      throw new NotSupportedException(
          weight.source(), "compressed-tensors MXFP4 quantization without scale_dtype uint8");
    }
    int n = rows * cols;
    float[] values = scratch.pollFirst();
    if (values == null || values.length < n) {
      values = new float[n];
    }
    try {
      weight.copyToFloats(0, values, 0, n);
      Fp4Quantization.Result q =
          Fp4Quantization.quantize(
              fp4,
              values,
              rows,
              cols,
              ScaleDtype.forWeight(weight.dtype()),
              weight.source(),
              weight.name());
      return Fp4Packed.write(fp4, q, rows, cols);
    } finally {
      scratch.addFirst(values);
    }
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    if (!config.quantizationStatus().equals("compressed")) {
      throw new NotSupportedException(
          tensors.source(),
          "a compressed-tensors checkpoint with quantization_status '"
              + config.quantizationStatus()
              + "' (only 'compressed' checkpoints load)");
    }
    ModuleSchemes.Group group = group(weightName);
    String prefix = ModuleFilter.moduleOf(weightName);
    Map<String, TensorView> module = new LinkedHashMap<>();
    for (String name : tensors.namesStartingWith(prefix + ".")) {
      String suffix = name.substring(prefix.length() + 1);
      if (!suffix.equals("bias")) { // the bias is the architecture's, read as a plain tensor
        module.put(suffix, tensors.require(name));
      }
    }
    CtTensors t = new CtTensors(tensors.source(), prefix, module);
    Fp4Scheme fp4 = Fp4Scheme.ofFormat(formatByGroup.get(group.name()));
    if (fp4 != null) {
      return Fp4Packed.read(t, fp4, group.scheme().inputActivations());
    }
    QuantizationArgs in = group.scheme().inputActivations();
    ActivationQuantizer activations = InputActivations.forCheckpoint(t, in);
    Set<String> extra = InputActivations.suffixes(in);
    QuantizationArgs args = group.scheme().weights();
    CtLinear w =
        formatByGroup.get(group.name()).equals(PackQuantized.FORMAT)
            ? PackQuantized.read(t, args, activations, extra)
            : NaiveQuantized.read(t, args, activations, extra);
    if (in != null) {
      for (String s : extra) {
        if (t.has(s)) {
          w = w.with(t.stored(s));
        }
      }
    }
    requireActivationGroups(tensors.source(), weightName, in, w.matrix().cols());
    return w;
  }

  private ModuleSchemes.Group group(String weightName) {
    return schemes
        .forLinear(ModuleFilter.moduleOf(weightName))
        .filter(g -> g.scheme().weights() != null)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    weightName + " was not selected for compressed-tensors quantization"));
  }

  private static void requireActivationGroups(
      Path file, String name, QuantizationArgs in, int cols) {
    if (in != null && in.strategy().equals("group") && cols % in.groupSize() != 0) {
      throw new FormatException(
          file,
          name,
          "in_features must be a multiple of the input activations' group size",
          "a multiple of " + in.groupSize(),
          cols);
    }
  }
}
