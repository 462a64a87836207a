package dev.quant4j.quantizers.torchao;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.quantization.ModuleFilter;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.quantizers.common.FloatScratch;
import dev.quant4j.tensor.TensorView;
import java.util.Arrays;
import java.util.Optional;

/**
 * TorchAO's int4 weight-only (plain {@code Int4Tensor}), int8 weight-only and int8 dynamic
 * activation + int8 weight ({@code Int8Tensor}) on the JVM: quantized as torchao does while
 * loading, read from and written to the flattened safetensors form transformers 5 saves ({@code
 * <module>._weight_qdata}, {@code ._weight_scale}, {@code ._weight_zero_point} plus the metadata
 * that describes each subclass), and multiplied on the kernels' grouped-int layout. Int4
 * checkpoints made on CUDA ({@code TILE_PACKED_TO_4D}, tinygemm's layout) load and save too ({@link
 * Int4TilePackedFormat}).
 */
final class TorchAoQuantizer implements Quantizer {
  private final TorchAoConfig config;
  private final TorchAoScheme scheme;
  private final FloatScratch scratch = new FloatScratch();
  private volatile DType modelDtype = DType.BF16;

  TorchAoQuantizer(TorchAoConfig config) {
    this.config = config;
    this.scheme = TorchAoScheme.of(config);
  }

  @Override
  public QuantizationConfig config() {
    return config;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(false, true, false);
  }

  /** Remembers the model's dtype, which torchao's int8 metadata records; computes in float32. */
  @Override
  public String settleComputeDtype(String requested) {
    if (requested != null) {
      modelDtype =
          switch (requested) {
            case "float16" -> DType.F16;
            case "float32" -> DType.F32;
            default -> DType.BF16;
          };
    }
    return "float32";
  }

  @Override
  public long estimateStorageBytes(long rows, long cols) {
    return switch (scheme) {
      case TorchAoScheme.Int4 i4 -> rows * cols / 2 + 8 * rows * Math.max(1, cols / i4.groupSize());
      case TorchAoScheme.Int8 i8 -> rows * cols + 8 * rows;
    };
  }

  @Override
  public QuantizedWeight quantize(TensorView weight) {
    long[] d = weight.shape().dims();
    if (d.length != 2 || d[0] <= 0 || d[1] <= 0 || d[0] * d[1] > Integer.MAX_VALUE - 8) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "torchao quantizes 2-D linear weights",
          "[out, in] below 2^31 elements",
          Arrays.toString(d));
    }
    if (!weight.dtype().isFloatingPoint()) {
      throw new FormatException(
          weight.source(),
          weight.name(),
          "torchao quantizes floating-point weights",
          "BF16, F16 or F32",
          weight.dtype());
    }
    int rows = (int) d[0];
    int cols = (int) d[1];
    DType dtype = TensorBytes.floatDtype(weight.dtype());
    if (scheme instanceof TorchAoScheme.Int4 i4 && (cols % i4.groupSize() != 0 || cols % 2 != 0)) {
      // as transformers: a layer whose in_features the group size does not divide stays as it is
      return PlainWeight.copyOf(weight);
    }
    if (scheme instanceof TorchAoScheme.Int4 i4 && i4.tilePacked()) {
      throw new NotSupportedException(
          weight.source(),
          "quantizing into torchao's tile-packed int4 layout (TILE_PACKED_TO_4D; loading it is"
              + " supported, and int4_packing_format PLAIN quantizes)");
    }
    float[] w = scratch.copyOf(weight);
    try {
      return switch (scheme) {
        case TorchAoScheme.Int4 i4 ->
            int4(Int4PlainFormat.quantize(weight.name(), w, rows, cols, i4.groupSize(), dtype));
        case TorchAoScheme.Int8 i8 ->
            int8(Int8PlainFormat.quantize(w, rows, cols, dtype, i8.perTensor()), i8);
      };
    } finally {
      scratch.giveBack(w);
    }
  }

  @Override
  public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
    String prefix = ModuleFilter.moduleOf(weightName);
    String base = prefix + "._" + weightName.substring(prefix.length() + 1) + "_";
    Optional<TensorView> qdata = tensors.find(base + "qdata");
    if (qdata.isEmpty()) {
      Optional<TensorView> plain = tensors.find(weightName);
      if (plain.isPresent()) {
        return PlainWeight.viewOf(plain.get());
      }
      throw new FormatException(
          tensors.source(),
          base + "qdata",
          "missing: the config says torchao but the layer has neither qdata nor a plain weight");
    }
    Optional<TensorView> scaleAndZero = tensors.find(base + "scale_and_zero");
    if (scaleAndZero.isPresent()) {
      Int4TilePackedFormat.Packed p =
          Int4TilePackedFormat.read(tensors.source(), qdata.get(), scaleAndZero.get());
      if (scheme instanceof TorchAoScheme.Int4 i4 && p.groupSize() != i4.groupSize()) {
        throw new FormatException(
            tensors.source(),
            base + "scale_and_zero",
            "group size differs from the config's",
            i4.groupSize(),
            p.groupSize());
      }
      return new TilePackedWeight(p);
    }
    return switch (scheme) {
      case TorchAoScheme.Int4 i4 -> {
        Int4PlainFormat.Parts p =
            Int4PlainFormat.read(
                tensors.source(),
                qdata.get(),
                tensors.require(base + "scale"),
                tensors.require(base + "zero_point"));
        if (p.groupSize() != i4.groupSize()) {
          throw new FormatException(
              tensors.source(),
              base + "scale",
              "group size differs from the config's",
              i4.groupSize(),
              p.groupSize());
        }
        yield int4(p);
      }
      case TorchAoScheme.Int8 i8 -> {
        tensors.find(base + "zero_point").ifPresent(z -> requireZeros(tensors, z));
        yield int8(
            Int8PlainFormat.read(
                tensors.source(), qdata.get(), tensors.require(base + "scale"), modelDtype),
            i8);
      }
    };
  }

  private static void requireZeros(TensorLookup tensors, TensorView zero) {
    for (long i = 0; i < zero.numel(); i++) {
      if (zero.getFloat(i) != 0f) {
        throw new NotSupportedException(
            tensors.source(), "asymmetric torchao int8 weights (" + zero.name() + " is not zero)");
      }
    }
  }

  private static QuantizedWeight int4(Int4PlainFormat.Parts p) {
    return new TorchAoWeight(
        Int4PlainFormat.matrix(p),
        "int4",
        () -> Int4PlainFormat.write(p),
        Int4PlainFormat.metadata(p),
        () -> Int4PlainFormat.dequantize(p));
  }

  private static QuantizedWeight int8(Int8PlainFormat.Parts p, TorchAoScheme.Int8 scheme) {
    ActivationQuantizer acts =
        scheme.dynamicActivations() ? Int8Activations.INSTANCE : ActivationQuantizer.NONE;
    return new TorchAoWeight(
        Int8PlainFormat.matrix(p, acts),
        scheme.dynamicActivations() ? "int8-dyn" : "int8",
        () -> Int8PlainFormat.write(p),
        Int8PlainFormat.metadata(p, scheme.dynamicActivations()),
        () -> Int8PlainFormat.dequantize(p));
  }
}
