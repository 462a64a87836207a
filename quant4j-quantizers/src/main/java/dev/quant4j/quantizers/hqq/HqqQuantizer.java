package dev.quant4j.quantizers.hqq;

import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.quantizers.common.FloatScratch;
import dev.quant4j.tensor.TensorView;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * HQQ on the JVM: quantizes each linear layer as hqq's {@code HQQLinear} does on a CPU (the
 * half-quadratic zero-point solver, then bit packing), reads and writes hqq's encoded state dicts,
 * and runs them on the shared grouped-int kernels. One layer config, or one per linear tag with
 * {@code dynamic_config}; {@code skip_modules} as transformers 4.4x applied it.
 */
final class HqqQuantizer implements Quantizer {
  private final HqqConfig config;
  private final TorchSum sum;

  // Float copies of the weights being quantized, reused across weights (one per thread at work).
  private final ConcurrentLinkedDeque<float[]> scratch = new ConcurrentLinkedDeque<>();
  private final FloatScratch solverScratch = new FloatScratch();

  HqqQuantizer(HqqConfig config, TorchSum sum) {
    this.config = config;
    this.sum = sum;
  }

  @Override
  public QuantizationConfig config() {
    return config;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true, false);
  }

  @Override
  public String settleComputeDtype(String requested) {
    // hqq dequantizes in its compute dtype (float16 here, as stored); the kernels accumulate in
    // float32, which is at least as precise.
    return "float32";
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    HqqLayerConfig widest =
        config.layer() != null
            ? config.layer()
            : config.dynamic().values().stream()
                .max(java.util.Comparator.comparingInt(HqqLayerConfig::nbits))
                .orElseThrow();
    long n = rows * cols;
    long groupSize = widest.groupSize() == null ? cols : widest.groupSize();
    return n * HqqSettings.kernelBitsOf(widest.nbits()) / 8 + 8 * Math.ceilDiv(n, groupSize);
  }

  /**
   * Every linear layer whose tag has a config, except those {@code skip_modules} names: by tag (as
   * transformers 4.4x's {@code prepare_for_hqq_linear}) or as a part of the module name (as its
   * {@code create_quantized_param}).
   */
  @Override
  public Set<String> weightsToConvert(List<String> linearWeights, String outputHeadWeight) {
    Set<String> out = new LinkedHashSet<>();
    for (String weight : linearWeights) {
      String module = ModuleFilter.moduleOf(weight);
      if (layerFor(module).isPresent() && !skipped(module)) {
        out.add(weight);
      }
    }
    return out;
  }

  private boolean skipped(String module) {
    String tag = linearTag(module);
    for (String s : config.skipModules()) {
      if (tag.equals(s) || module.contains(s)) {
        return true;
      }
    }
    return false;
  }

  private Optional<HqqLayerConfig> layerFor(String module) {
    return config.layerFor(linearTag(module));
  }

  /**
   * transformers' {@code name_to_linear_tag}: the name without {@code model}, {@code layers} and
   * numeric parts ({@code model.layers.3.self_attn.q_proj} is {@code self_attn.q_proj}).
   */
  static String linearTag(String module) {
    StringBuilder tag = new StringBuilder();
    for (String part : module.split("\\.")) {
      if (part.equals("model")
          || part.equals("layers")
          || part.chars().allMatch(Character::isDigit)) {
        continue;
      }
      if (!tag.isEmpty()) {
        tag.append('.');
      }
      tag.append(part);
    }
    return tag.toString();
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    String module = ModuleFilter.moduleOf(weight.name());
    HqqLayerConfig layer =
        layerFor(module)
            .orElseThrow(
                () ->
                    new NotSupportedException(
                        weight.source(),
                        "quantizing "
                            + weight.name()
                            + ", which has no hqq config (tag '"
                            + linearTag(module)
                            + "')"));
    long[] dims = weight.shape().dims();
    if (dims.length != 2) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "hqq quantizes 2-D linear weights",
          "rank 2",
          "rank " + dims.length);
    }
    if (!weight.dtype().isFloatingPoint()) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "hqq quantizes floating-point weights",
          "BF16, F16 or F32",
          weight.dtype());
    }
    if (weight.numel() > Integer.MAX_VALUE - 8) {
      throw new NotSupportedException(
          weight.source(), weight.name() + ": a weight of " + weight.numel() + " elements");
    }
    int rows = (int) dims[0];
    int cols = (int) dims[1];
    HqqSettings settings = settingsFor(weight, layer, cols);
    int n = rows * cols;
    float[] values = scratch.pollFirst();
    if (values == null || values.length < n) {
      values = new float[n];
    }
    try {
      weight.copyToFloats(0, values, 0, n);
      HqqAlgorithm.Result r =
          HqqAlgorithm.quantize(
              values,
              n / settings.groupSize(),
              settings.groupSize(),
              settings.nbits(),
              settings.optimize(),
              settings.roundZero(),
              sum,
              solverScratch);
      return new HqqLinear(
          settings,
          rows,
          cols,
          r.codes(),
          HqqFormat.encodeFloats(r.scale(), settings.computeDtype()),
          HqqFormat.encodeFloats(r.zero(), settings.computeDtype()),
          null);
    } finally {
      scratch.addFirst(values);
    }
  }

  private static HqqSettings settingsFor(TensorView weight, HqqLayerConfig layer, int cols) {
    String what = weight.name() + ": hqq ";
    if (layer.axis() != 1) {
      throw new NotSupportedException(
          weight.source(), what + "axis=0 (groups along the output dimension)");
    }
    if (!layer.channelWise()) {
      throw new NotSupportedException(weight.source(), what + "channel_wise=false");
    }
    if (layer.scaleQuantParams() != null || layer.zeroQuantParams() != null) {
      // hqq itself ignores them now ("deprecated"), and its state dict cannot store them.
      throw new NotSupportedException(weight.source(), what + "quantized scales or zeros");
    }
    int groupSize = layer.groupSize() == null ? cols : layer.groupSize();
    if (cols % groupSize != 0) {
      throw new NotSupportedException(
          weight.source(),
          what + "group_size " + groupSize + " that does not divide in_features " + cols);
    }
    long groups = weight.numel() / groupSize;
    HqqPacking packing = HqqPacking.forBits(layer.nbits());
    if (!packing.fits(groups)) {
      throw new NotSupportedException(
          weight.source(),
          what + layer.nbits() + "-bit packing of " + groups + " groups (hqq needs a multiple)");
    }
    if ((long) cols * HqqSettings.kernelBitsOf(layer.nbits()) % 8 != 0) {
      throw new NotSupportedException(
          weight.source(), what + "in_features " + cols + " that do not fill whole code bytes");
    }
    return new HqqSettings(
        layer.nbits(),
        groupSize,
        1,
        HqqSettings.DEFAULT_COMPUTE,
        true,
        layer.optimize(),
        layer.roundZero(),
        layer.viewAsFloat(),
        layer.offloadMeta());
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    if (!HqqReader.isPresent(prefix, tensors)) {
      throw new FormatException(
          tensors.source(),
          prefix + ".W_q",
          "missing: the config says this layer is hqq-quantized but the checkpoint has no W_q");
    }
    return HqqReader.read(prefix, tensors);
  }
}
