package dev.quant4j.quantizers.bnb;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The serialized form of a bitsandbytes 4-bit Linear, as transformers writes it: {@code <p>.weight}
 * (packed codes), {@code .weight.absmax}, {@code .weight.quant_map}, with double quantization
 * {@code .weight.nested_absmax} and {@code .weight.nested_quant_map}, and {@code
 * .weight.quant_state.bitsandbytes__nf4|fp4} (the JSON). Reading validates every piece; writing
 * gives back exactly the tensors that were read.
 */
public final class Bnb4bitFormat {
  static final String ABSMAX = ".absmax";
  static final String QUANT_MAP = ".quant_map";
  static final String NESTED_ABSMAX = ".nested_absmax";
  static final String NESTED_QUANT_MAP = ".nested_quant_map";

  private Bnb4bitFormat() {}

  /**
   * True when {@code tensors} holds the quant_state of a 4-bit weight named {@code
   * <prefix>.weight}.
   */
  public static boolean isPresent(String prefix, Map<String, RawTensor> tensors) {
    for (Bnb4bitType t : Bnb4bitType.values()) {
      if (tensors.containsKey(prefix + ".weight." + t.quantStateSuffix())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the 4-bit weight of module {@code prefix} from {@code tensors}, which hold that module's
   * tensors ({@code <prefix>.bias} is ignored; any other unknown {@code <prefix>.*} key is an
   * error). {@code file} names the checkpoint in errors.
   */
  public static Bnb4bitWeight read(Path file, String prefix, Map<String, RawTensor> tensors) {
    String w = prefix + ".weight";
    Bnb4bitType type = detectType(file, w, tensors);
    String stateName = w + "." + type.quantStateSuffix();
    Set<String> allowed =
        Set.of(
            w,
            w + ABSMAX,
            w + QUANT_MAP,
            w + NESTED_ABSMAX,
            w + NESTED_QUANT_MAP,
            stateName,
            prefix + ".bias");
    for (String key : new TreeSet<>(tensors.keySet())) {
      if (key.startsWith(prefix + ".") && !allowed.contains(key)) {
        throw new FormatException(
            file, key, "unexpected tensor in a bitsandbytes 4-bit module", allowed, key);
      }
    }
    RawTensor stateTensor = require(file, tensors, stateName);
    check(file, stateName, stateTensor, DType.U8, stateTensor.numel());
    byte[] json = stateTensor.toBytes();
    QuantState state = QuantState.parse(file, stateName, json, type);

    long n = (long) state.rows() * state.cols();
    long blocks = Math.ceilDiv(n, state.blocksize());
    RawTensor packed = require(file, tensors, w);
    QuantStorage storage =
        QuantStorage.of(packed.dtype())
            .orElseThrow(
                () ->
                    new FormatException(
                        file,
                        w,
                        "unsupported storage dtype",
                        Arrays.toString(QuantStorage.values()),
                        packed.dtype()));
    long packedBytes = Math.ceilDiv(n, 2);
    if (packedBytes % storage.itemBytes() != 0) {
      throw new FormatException(
          file,
          w,
          "packed size is not a whole number of " + storage.torchName(),
          packedBytes + " bytes",
          packed.dtype());
    }
    check(file, w, packed, packed.dtype(), packedBytes / storage.itemBytes(), 1);

    RawTensor quantMap = require(file, tensors, w + QUANT_MAP);
    check(file, w + QUANT_MAP, quantMap, DType.F32, 16);
    if (!type.codebook().bitsEqual(quantMap.toFloats())) {
      throw new FormatException(
          file,
          w + QUANT_MAP,
          "quant_map is not the " + type.jsonName() + " table",
          type.codebook(),
          Arrays.toString(quantMap.toFloats()));
    }

    boolean hasNestedTensors =
        tensors.containsKey(w + NESTED_ABSMAX) || tensors.containsKey(w + NESTED_QUANT_MAP);
    if (hasNestedTensors != state.nested().isPresent()) {
      String missing =
          state.nested().isPresent() ? w + NESTED_ABSMAX : stateName + "[nested_offset]";
      throw new FormatException(
          file,
          missing,
          "double quantization is only half described",
          "nested tensors and nested quant_state keys together",
          "one without the other");
    }
    RawTensor absmaxTensor = require(file, tensors, w + ABSMAX);
    Optional<NestedAbsmax> nested = Optional.empty();
    float[] plain = null;
    if (state.nested().isPresent()) {
      QuantState.Nested ns = state.nested().get();
      check(file, w + ABSMAX, absmaxTensor, DType.U8, blocks);
      RawTensor nestedMax = require(file, tensors, w + NESTED_ABSMAX);
      check(file, w + NESTED_ABSMAX, nestedMax, DType.F32, Math.ceilDiv(blocks, ns.blocksize()));
      float[] am2 = finite(file, w + NESTED_ABSMAX, nestedMax.toFloats());
      RawTensor nestedMap = require(file, tensors, w + NESTED_QUANT_MAP);
      check(file, w + NESTED_QUANT_MAP, nestedMap, DType.F32, 256);
      if (!BnbCodebooks.DYNAMIC_8BIT.bitsEqual(nestedMap.toFloats())) {
        throw new FormatException(
            file,
            w + NESTED_QUANT_MAP,
            "nested_quant_map is not the dynamic 8-bit map",
            "create_dynamic_map(signed=True)",
            "other values");
      }
      nested =
          Optional.of(new NestedAbsmax(absmaxTensor.toBytes(), am2, ns.offset(), ns.blocksize()));
    } else {
      check(file, w + ABSMAX, absmaxTensor, DType.F32, blocks);
      plain = finite(file, w + ABSMAX, absmaxTensor.toFloats());
    }
    return new Bnb4bitWeight(state, storage, packed.data(), nested, plain, json);
  }

  /** The tensors of {@code weight} under module {@code prefix}, byte-identical to what was read. */
  public static Map<String, RawTensor> write(String prefix, Bnb4bitWeight weight) {
    String w = prefix + ".weight";
    Map<String, RawTensor> out = new LinkedHashMap<>();
    long packedBytes = weight.packed().byteSize();
    out.put(
        w,
        new RawTensor(
            weight.storage().dtype(),
            new long[] {packedBytes / weight.storage().itemBytes(), 1},
            weight.packed()));
    Optional<NestedAbsmax> nested = weight.nested();
    if (nested.isPresent()) {
      NestedAbsmax na = nested.get();
      out.put(w + ABSMAX, RawTensor.of(DType.U8, new long[] {na.codeCount()}, na.codes()));
      float[] am2 = na.nestedAbsmax();
      out.put(w + NESTED_ABSMAX, RawTensor.ofFloats(new long[] {am2.length}, am2));
      out.put(
          w + NESTED_QUANT_MAP,
          RawTensor.ofFloats(new long[] {256}, BnbCodebooks.DYNAMIC_8BIT.toArray()));
    } else {
      float[] absmax = weight.absmax();
      out.put(w + ABSMAX, RawTensor.ofFloats(new long[] {absmax.length}, absmax));
    }
    out.put(w + QUANT_MAP, RawTensor.ofFloats(new long[] {16}, weight.type().codebook().toArray()));
    byte[] json = weight.quantStateJson();
    out.put(
        w + "." + weight.type().quantStateSuffix(),
        RawTensor.of(DType.U8, new long[] {json.length}, json));
    return out;
  }

  private static Bnb4bitType detectType(Path file, String w, Map<String, RawTensor> tensors) {
    Bnb4bitType found = null;
    for (Bnb4bitType t : Bnb4bitType.values()) {
      if (tensors.containsKey(w + "." + t.quantStateSuffix())) {
        if (found != null) {
          throw new FormatException(
              file,
              w + "." + t.quantStateSuffix(),
              "two quant_state tensors for one weight",
              "one of nf4, fp4",
              "both");
        }
        found = t;
      }
    }
    if (found == null) {
      throw new FormatException(
          file,
          w + ".quant_state.bitsandbytes__nf4",
          "missing tensor",
          "the quant_state of a 4-bit weight (nf4 or fp4)",
          "absent");
    }
    return found;
  }

  static RawTensor require(Path file, Map<String, RawTensor> tensors, String name) {
    RawTensor t = tensors.get(name);
    if (t == null) {
      throw new FormatException(file, name, "missing tensor", "present", "absent");
    }
    return t;
  }

  static void check(Path file, String name, RawTensor t, DType dtype, long... shape) {
    if (t.dtype() != dtype) {
      throw new FormatException(
          file, name, "wrong dtype", dtype.safetensorsName(), t.dtype().safetensorsName());
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new FormatException(
          file, name, "wrong shape", Arrays.toString(shape), Arrays.toString(t.shape()));
    }
    long bytes = dtype.byteSize(t.numel());
    if (t.data().byteSize() != bytes) {
      throw new FormatException(
          file, name, "data size does not match dtype and shape", bytes, t.data().byteSize());
    }
  }

  static float[] finite(Path file, String name, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i]) || values[i] < 0) {
        throw new FormatException(
            file, name + "[" + i + "]", "scale must be finite and >= 0", ">= 0", values[i]);
      }
    }
    return values;
  }
}
