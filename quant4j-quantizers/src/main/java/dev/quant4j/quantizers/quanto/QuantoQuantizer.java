package dev.quant4j.quantizers.quanto;

import dev.quant4j.error.ConfigException;
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
import java.util.Map;
import java.util.Set;

/**
 * optimum-quanto on the JVM: qint8, qint4, qint2 and qfloat8 (e4m3fn) weights, quantized as
 * quanto's {@code quantize(model, weights=..., activations=...)} + {@code freeze} does on CPU, read
 * from and written to quanto's own checkpoints ({@code quanto_qmap.json} beside the safetensors).
 *
 * <p>Activations qint8 or qfloat8_e4m3fn are quantized statically per tensor, the input with each
 * module's {@code input_scale} and the output with its {@code output_scale} (see {@link
 * QuantoActivationQuantizer}). quant4j runs no calibration: quantizing while loading leaves both
 * scales at 1.0, as quanto does without its {@code Calibration} pass (int8 activations then round
 * to integers in [-128, 127], which ruins a model; float8 ones are a plain e4m3 cast). A calibrated
 * quanto checkpoint brings its scales.
 */
final class QuantoQuantizer implements Quantizer {
  private final QuantoConfig config;
  private final QuantoQtype qtype;
  private final Map<String, QuantoQmap.Entry> qmap;
  private final FloatScratch scratch = new FloatScratch();
  private final QuantoQtype activations; // of quantize-on-load; a qmap names each module's

  QuantoQuantizer(QuantoConfig config) {
    this.config = config;
    this.qtype = QuantoQtype.fromConfigName(config.weights()).orElseThrow();
    this.qmap = config.qmap();
    this.activations =
        config.activations() == null
            ? null
            : QuantoQtype.fromConfigName(config.activations()).orElseThrow();
    if (qmap != null) {
      for (var e : qmap.entrySet()) {
        check(e.getKey(), e.getValue());
      }
    }
  }

  private static void check(String module, QuantoQmap.Entry entry) {
    if (entry.quantizesActivations()) {
      activationQtype(module, entry.activations());
      if (!entry.quantizesWeights()) {
        throw new NotSupportedException(
            null,
            "a quanto module with quantized activations but float weights ("
                + module
                + ": weights none, activations "
                + entry.activations()
                + ")");
      }
    }
    if (entry.quantizesWeights() && QuantoQtype.fromQmapName(entry.weights()).isEmpty()) {
      if (List.of("qfloat8_e5m2", "qfloat8_e4m3fnuz", "qfloat8").contains(entry.weights())) {
        throw new NotSupportedException(
            null, "quanto weights of qtype " + entry.weights() + " (" + module + ")");
      }
      throw new ConfigException(
          null,
          module + ".weights",
          "unknown quanto qtype in " + QuantoQmap.FILE_NAME,
          "qint2, qint4, qint8, qfloat8_e4m3fn or none",
          entry.weights());
    }
  }

  /** The activation qtype a qmap names: qint8 or qfloat8_e4m3fn (the 8-bit ones quanto allows). */
  static QuantoQtype activationQtype(String module, String name) {
    return switch (name) {
      case "qint8" -> QuantoQtype.QINT8;
      case "qfloat8_e4m3fn" -> QuantoQtype.QFLOAT8;
      case "qfloat8_e5m2", "qfloat8_e4m3fnuz", "qfloat8" ->
          throw new NotSupportedException(
              null, "quanto activations of qtype " + name + " (" + module + ")");
      default ->
          throw new ConfigException(
              null,
              module + ".activations",
              "unknown or non-8-bit quanto activation qtype in " + QuantoQmap.FILE_NAME,
              "qint8, qfloat8_e4m3fn or none",
              name);
    };
  }

  @Override
  public QuantizationConfig config() {
    return config;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(config.activations() != null, true, false);
  }

  @Override
  public String settleComputeDtype(String requested) {
    // quanto dequantizes to the weight dtype and multiplies there; quant4j accumulates in float32.
    return "float32";
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    long n = rows * cols;
    return switch (qtype) {
      // qint8 with activations runs as an 8-bit grouped matrix: a zero beside each row's scale
      case QINT8 -> n + (activations == null ? 4 : 8) * rows;
      case QFLOAT8 -> n + 4 * rows;
      case QINT4, QINT2 -> {
        int gs = QuantoQtype.groupSize((int) Math.min(cols, Integer.MAX_VALUE));
        long groups = rows * (gs == 0 ? 1 : cols / gs);
        yield Math.ceilDiv(n * qtype.bits(), 8) + 8 * groups;
      }
    };
  }

  /**
   * Pre-quantized folders: exactly the modules {@code quanto_qmap.json} quantizes (quanto's default
   * includes the output head). Otherwise transformers' selection.
   */
  @Override
  public Set<String> weightsToConvert(List<String> linearWeights, String outputHeadWeight) {
    if (qmap == null) {
      return Quantizer.super.weightsToConvert(linearWeights, outputHeadWeight);
    }
    Set<String> out = new LinkedHashSet<>();
    List<String> all = new java.util.ArrayList<>(linearWeights);
    all.add(outputHeadWeight);
    for (String w : all) {
      QuantoQmap.Entry e = qmap.get(ModuleFilter.moduleOf(w));
      if (e != null && e.quantizesWeights()) {
        out.add(w);
      }
    }
    return out;
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    long[] dims = weight.shape().dims();
    if (dims.length != 2) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "quanto quantizes 2-D linear weights",
          "rank 2",
          "rank " + dims.length);
    }
    if (weight.numel() > Integer.MAX_VALUE - 8) {
      throw new NotSupportedException(
          weight.source(),
          weight.name() + ": a weight of " + weight.numel() + " elements (2^31 at most)");
    }
    WeightDtype dtype = WeightDtype.of(weight.source(), weight.name(), weight.dtype());
    int rows = (int) dims[0];
    int cols = (int) dims[1];
    float[] values = scratch.copyOf(weight);
    try {
      return QuantoWeightQuantizer.quantize(qtype, activations, dtype, values, rows, cols);
    } finally {
      scratch.giveBack(values);
    }
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String module = ModuleFilter.moduleOf(weightName);
    QuantoQtype type = qtype;
    QuantoQtype acts = activations;
    if (qmap != null) {
      QuantoQmap.Entry e = qmap.get(module);
      if (e == null || !e.quantizesWeights()) {
        throw new FormatException(
            tensors.source(), module, "not a quantized module in " + QuantoQmap.FILE_NAME);
      }
      type = QuantoQtype.fromQmapName(e.weights()).orElseThrow();
      acts = e.quantizesActivations() ? activationQtype(module, e.activations()) : null;
    }
    return QuantoFormat.read(module, type, acts, tensors);
  }
}
