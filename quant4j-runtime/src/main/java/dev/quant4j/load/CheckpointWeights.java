package dev.quant4j.load;

import dev.quant4j.arch.WeightSource;
import dev.quant4j.error.FormatException;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The weights of a model being built: linear weights the quantizer prepared, and everything else as
 * zero-copy views of the memory-mapped checkpoint. Records which checkpoint tensors were used so
 * the loader can refuse unexpected ones, and what each parameter costs for the load report.
 */
final class CheckpointWeights implements WeightSource, TensorLookup {
  private final Checkpoint checkpoint;
  private final Map<String, QuantizedWeight> quantized;
  private final Set<String> used = new HashSet<>();
  private final Map<String, LoadReport.WeightEntry> entries = new LinkedHashMap<>();

  CheckpointWeights(Checkpoint checkpoint, Map<String, QuantizedWeight> quantized) {
    this.checkpoint = checkpoint;
    this.quantized = quantized;
  }

  @Override
  public WeightMatrix linear(String name, int rows, int cols) {
    QuantizedWeight q = quantized.get(name);
    if (q == null) {
      return dense(name, rows, cols);
    }
    QuantizedWeight shaped = q.withShape(rows, cols);
    if (shaped != q) {
      q = shaped;
      quantized.put(name, q);
    }
    WeightMatrix m = q.matrix();
    if (m.rows() != rows || m.cols() != cols) {
      throw new FormatException(
          checkpoint.source(),
          name,
          "quantized weight has the wrong shape",
          rows + "x" + cols,
          m.rows() + "x" + m.cols());
    }
    entries.put(name, new LoadReport.WeightEntry(name, q.format(), true, q.storageBytes()));
    return m;
  }

  @Override
  public DenseMatrix dense(String name, int rows, int cols) {
    TensorView t = require(name);
    long[] dims = t.shape().dims();
    if (dims.length != 2 || dims[0] != rows || dims[1] != cols) {
      throw new FormatException(
          t.source(), name, "wrong shape", "[" + rows + ", " + cols + "]", t.shape());
    }
    FloatFormat format =
        switch (t.dtype()) {
          case F32 -> FloatFormat.F32;
          case BF16 -> FloatFormat.BF16;
          case F16 -> FloatFormat.F16;
          default ->
              throw new FormatException(
                  t.source(),
                  name,
                  "unsupported dtype for an unquantized weight",
                  "F32, BF16 or F16",
                  t.dtype());
        };
    entries.put(
        name, new LoadReport.WeightEntry(name, t.dtype().name(), false, t.data().byteSize()));
    return new DenseMatrix(t.data(), format, rows, cols);
  }

  @Override
  public float[] vector(String name, int n) {
    TensorView t = require(name);
    long[] dims = t.shape().dims();
    if (dims.length != 1 || dims[0] != n) {
      throw new FormatException(t.source(), name, "wrong shape", "[" + n + "]", t.shape());
    }
    if (!t.dtype().isFloatingPoint()) {
      throw new FormatException(
          t.source(), name, "expected a floating-point tensor", "F32, BF16 or F16", t.dtype());
    }
    entries.put(name, new LoadReport.WeightEntry(name, t.dtype().name(), false, 4L * n));
    return t.toFloatArray();
  }

  @Override
  public Optional<TensorView> find(String name) {
    if (!checkpoint.tensorNames().contains(name)) {
      return Optional.empty();
    }
    used.add(name);
    return Optional.of(checkpoint.tensor(name));
  }

  @Override
  public TensorView require(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new FormatException(
                    checkpoint.source(),
                    name,
                    "missing tensor: the model needs it and the checkpoint does not have it"));
  }

  @Override
  public Set<String> namesStartingWith(String prefix) {
    Set<String> out = new java.util.TreeSet<>();
    for (String name : checkpoint.tensorNames()) {
      if (name.startsWith(prefix)) {
        out.add(name);
      }
    }
    return out;
  }

  @Override
  public java.nio.file.Path source() {
    return checkpoint.source();
  }

  /** Marks tensors consumed outside this class (the weights quantized while streaming). */
  void markUsed(String name) {
    used.add(name);
  }

  /** Checkpoint tensors nothing asked for, minus those transformers also ignores. */
  List<String> unused() {
    List<String> out = new ArrayList<>();
    for (String name : checkpoint.tensorNames()) {
      if (!used.contains(name) && !name.endsWith("rotary_emb.inv_freq")) {
        out.add(name);
      }
    }
    return out;
  }

  List<LoadReport.WeightEntry> entries() {
    return List.copyOf(entries.values());
  }
}
