package dev.quant4j.load.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.Support;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A quantization method that exists only in the test sources, registered through their own
 * META-INF/services file: proof that a new method plugs into {@code fromPretrained} with no change
 * to the loader. Round-to-nearest int8 per output row.
 */
public final class RowInt8Method implements QuantizationMethod {
  public static final String NAME = "test-row-int8";

  /** Config key of the test method: when true, saving fails after it has started (a bad tensor). */
  public static final String BREAK_SAVE = "break_save";

  record Config(boolean breakSave) implements QuantizationConfig {
    @Override
    public String quantMethod() {
      return NAME;
    }

    @Override
    public ObjectNode toDict() {
      return JsonNodeFactory.instance
          .objectNode()
          .put("quant_method", NAME)
          .put(BREAK_SAVE, breakSave);
    }

    @Override
    public ObjectNode toDiffDict() {
      return toDict();
    }

    @Override
    public Map<String, JsonNode> unknownKeys() {
      return Map.of();
    }

    @Override
    public List<String> modulesToNotConvert() {
      return List.of();
    }
  }

  @Override
  public String quantMethod() {
    return NAME;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return new Config(dict.path(BREAK_SAVE).asBoolean(false));
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(new Config(false));
  }

  @Override
  public Support support() {
    return new Support(true, false, false);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new Quantizer() {
      @Override
      public QuantizationConfig config() {
        return config;
      }

      @Override
      public Capabilities capabilities() {
        return new Capabilities(false, false, false);
      }

      @Override
      public QuantizedWeight quantize(TensorView weight) {
        int rows = (int) weight.shape().dim(0);
        int cols = (int) weight.shape().dim(1);
        float[] w = weight.toFloatArray();
        byte[] codes = new byte[w.length];
        float[] scales = new float[rows];
        for (int r = 0; r < rows; r++) {
          float max = 0;
          for (int c = 0; c < cols; c++) {
            max = Math.max(max, Math.abs(w[r * cols + c]));
          }
          scales[r] = max;
          for (int c = 0; c < cols; c++) {
            codes[r * cols + c] = (byte) Math.round(max == 0 ? 0 : w[r * cols + c] * 127 / max);
          }
        }
        return new RowInt8Weight(
            new Int8RowMatrix(
                MemorySegment.ofArray(codes), MemorySegment.ofArray(scales), rows, cols),
            codes,
            ((Config) config).breakSave());
      }

      @Override
      public QuantizedWeight loadPrequantized(String weightName, TensorLookup tensors) {
        throw new UnsupportedOperationException("test method: quantize on load only");
      }
    };
  }

  record RowInt8Weight(Int8RowMatrix matrix, byte[] codes, boolean breakSave)
      implements QuantizedWeight {
    @Override
    public String format() {
      return "row-int8";
    }

    @Override
    public long storageBytes() {
      return codes.length + 4L * matrix.rows();
    }

    @Override
    public List<StoredTensor> checkpointTensors() {
      // A broken save claims one row more than it has bytes for: the save fails once started.
      int rows = breakSave ? matrix.rows() + 1 : matrix.rows();
      return List.of(
          new StoredTensor(
              "weight", DType.I8, Shape.of(rows, matrix.cols()), MemorySegment.ofArray(codes)));
    }

    @Override
    public float[] dequantize() {
      float[] out = new float[codes.length];
      for (int r = 0; r < matrix.rows(); r++) {
        for (int c = 0; c < matrix.cols(); c++) {
          out[r * matrix.cols() + c] = matrix.rowFactor(r) * codes[r * matrix.cols() + c];
        }
      }
      return out;
    }

    @Override
    public Int8RowMatrix matrix() {
      return matrix;
    }
  }
}
