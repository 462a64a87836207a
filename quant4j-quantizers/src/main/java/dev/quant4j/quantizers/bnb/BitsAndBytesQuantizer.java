package dev.quant4j.quantizers.bnb;

import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.TensorView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * bitsandbytes on the JVM: LLM.int8() row-wise int8, and FP4/NF4 blockwise 4-bit with optional
 * double quantization, quantized bit-exactly as bitsandbytes' CPU path does, and read from and
 * written to its checkpoint format.
 */
final class BitsAndBytesQuantizer implements Quantizer {
  private final BitsAndBytesConfig config;

  // Float copies of the weights being quantized, reused across weights (one per thread at work):
  // quantizing a 1B model otherwise leaves gigabytes of short-lived copies for the collector and
  // the resident set.
  private final java.util.concurrent.ConcurrentLinkedDeque<float[]> scratch =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  BitsAndBytesQuantizer(BitsAndBytesConfig config) {
    if (!config.loadIn4bit() && !config.loadIn8bit()) {
      throw new ConfigException(
          null,
          "load_in_4bit",
          "a bitsandbytes config must enable load_in_4bit or load_in_8bit",
          "one of them true",
          "both false");
    }
    this.config = config;
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
    // bitsandbytes computes 4-bit layers in bnb_4bit_compute_dtype; quant4j's kernels accumulate in
    // float32 whatever is asked, which is at least as precise.
    return "float32";
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    long n = rows * cols;
    if (config.loadIn8bit()) {
      return n + 4 * rows;
    }
    long blocks = Math.ceilDiv(n, Bnb4bitSettings.DEFAULT_BLOCKSIZE);
    return Math.ceilDiv(n, 2) + 4 * blocks;
  }

  /** Thread-safe: each call borrows its own float buffer. */
  @Override
  public QuantizedWeight quantize(TensorView weight) {
    long[] dims = weight.shape().dims();
    if (dims.length != 2) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "bitsandbytes quantizes 2-D linear weights",
          "rank 2",
          "rank " + dims.length);
    }
    if (weight.numel() > Integer.MAX_VALUE - 8) {
      throw new dev.quant4j.error.NotSupportedException(
          weight.source(),
          weight.name() + ": a weight of " + weight.numel() + " elements (2^31 at most)");
    }
    int rows = Math.toIntExact(dims[0]);
    int cols = Math.toIntExact(dims[1]);
    int n = (int) weight.numel();
    float[] values = scratch.pollFirst();
    if (values == null || values.length < n) {
      values = new float[n];
    }
    try {
      weight.copyToFloats(0, values, 0, n);
      return quantizeValues(weight, values, rows, cols);
    } finally {
      scratch.addFirst(values);
    }
  }

  private QuantizedWeight quantizeValues(TensorView weight, float[] values, int rows, int cols) {
    if (config.loadIn8bit()) {
      return new BnbInt8Linear(BnbInt8Quantizer.quantize(weight.name(), values, rows, cols));
    }
    BnbFloatType dtype = floatType(weight);
    Bnb4bitType type = Bnb4bitType.fromJsonName(config.bnb4bitQuantType()).orElseThrow();
    QuantStorage storage = QuantStorage.fromTorchName(config.bnb4bitQuantStorage()).orElseThrow();
    Bnb4bitSettings settings =
        new Bnb4bitSettings(
            type, Bnb4bitSettings.DEFAULT_BLOCKSIZE, config.bnb4bitUseDoubleQuant(), storage);
    return new Bnb4bitLinear(
        Bnb4bitQuantizer.quantize(weight.name(), values, rows, cols, dtype, settings));
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    Map<String, RawTensor> raw = new LinkedHashMap<>();
    for (String name : tensors.namesStartingWith(prefix + ".")) {
      if (name.equals(prefix + ".bias")) {
        continue; // the bias is the architecture's, read as a plain tensor
      }
      TensorView t = tensors.require(name);
      raw.put(name, new RawTensor(t.dtype(), t.shape().dims(), t.data()));
    }
    if (config.loadIn8bit()) {
      if (!BnbInt8Format.isPresent(prefix, raw)) {
        throw new FormatException(
            tensors.source(),
            prefix + ".SCB",
            "missing: the config says load_in_8bit but the module has no int8 scales");
      }
      return new BnbInt8Linear(BnbInt8Format.read(tensors.source(), prefix, raw));
    }
    if (!Bnb4bitFormat.isPresent(prefix, raw)) {
      throw new FormatException(
          tensors.source(),
          weightName + ".quant_state.bitsandbytes__" + config.bnb4bitQuantType(),
          "missing: the config says load_in_4bit but the module has no quant state");
    }
    return new Bnb4bitLinear(Bnb4bitFormat.read(tensors.source(), prefix, raw));
  }

  private static BnbFloatType floatType(TensorView weight) {
    return switch (weight.dtype()) {
      case BF16 -> BnbFloatType.BFLOAT16;
      case F16 -> BnbFloatType.FLOAT16;
      case F32 -> BnbFloatType.FLOAT32;
      default ->
          throw new FormatException(
              weight.source(),
              weight.name(),
              "bitsandbytes quantizes floating-point weights",
              "BF16, F16 or F32",
              weight.dtype());
    };
  }
}
