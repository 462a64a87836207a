package dev.quant4j.quantizers.bnb;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The serialized form of an LLM.int8() Linear, as transformers 5 writes it: {@code <p>.weight}
 * (int8 {@code [O, I]}), {@code <p>.SCB} (float32 {@code [O]}, note: beside {@code weight}, not
 * under it) and {@code <p>.weight_format} (a 0-d uint8, 0 = row-major; the column layouts of old
 * GPU checkpoints are rejected, as current bitsandbytes does).
 */
public final class BnbInt8Format {
  private BnbInt8Format() {}

  /** True when {@code tensors} holds the {@code SCB} of an int8 module {@code prefix}. */
  public static boolean isPresent(String prefix, Map<String, RawTensor> tensors) {
    return tensors.containsKey(prefix + ".SCB");
  }

  /** Reads and validates the int8 weight of module {@code prefix} ({@code .bias} is ignored). */
  public static BnbInt8Weight read(Path file, String prefix, Map<String, RawTensor> tensors) {
    String w = prefix + ".weight";
    String scbName = prefix + ".SCB";
    String formatName = prefix + ".weight_format";
    Set<String> allowed = Set.of(w, scbName, formatName, prefix + ".bias");
    for (String key : new TreeSet<>(tensors.keySet())) {
      if (key.startsWith(prefix + ".") && !allowed.contains(key)) {
        throw new FormatException(
            file, key, "unexpected tensor in a bitsandbytes int8 module", allowed, key);
      }
    }
    RawTensor codes = Bnb4bitFormat.require(file, tensors, w);
    long[] shape = codes.shape();
    if (shape.length != 2
        || shape[0] <= 0
        || shape[1] <= 0
        || shape[0] > Integer.MAX_VALUE
        || shape[1] > Integer.MAX_VALUE) {
      throw new FormatException(
          file,
          w,
          "int8 weight must be [out_features, in_features]",
          "2 positive dims",
          java.util.Arrays.toString(shape));
    }
    Bnb4bitFormat.check(file, w, codes, DType.I8, shape);
    RawTensor scb = Bnb4bitFormat.require(file, tensors, scbName);
    Bnb4bitFormat.check(file, scbName, scb, DType.F32, shape[0]);
    float[] scales = Bnb4bitFormat.finite(file, scbName, scb.toFloats());
    RawTensor format = tensors.get(formatName);
    if (format != null) {
      Bnb4bitFormat.check(file, formatName, format, DType.U8);
      int value = format.data().get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
      if (value != 0) {
        throw new FormatException(
            file, formatName, "only the row-major int8 layout is supported", "0 (row)", value);
      }
    }
    return new BnbInt8Weight((int) shape[0], (int) shape[1], codes.data(), scales);
  }

  /** {@code weight}, {@code SCB} and {@code weight_format} as transformers 5.17 saves them. */
  public static Map<String, RawTensor> write(String prefix, BnbInt8Weight weight) {
    Map<String, RawTensor> out = new LinkedHashMap<>();
    out.put(
        prefix + ".weight",
        new RawTensor(DType.I8, new long[] {weight.rows(), weight.cols()}, weight.codes()));
    out.put(prefix + ".SCB", RawTensor.ofFloats(new long[] {weight.rows()}, weight.scb()));
    out.put(prefix + ".weight_format", RawTensor.of(DType.U8, new long[0], new byte[] {0}));
    return out;
  }
}
