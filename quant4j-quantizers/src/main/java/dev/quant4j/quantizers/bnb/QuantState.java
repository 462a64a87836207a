package dev.quant4j.quantizers.bnb;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.quantizers.common.PythonFloatRepr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The packed quant_state of a 4-bit weight: the JSON bitsandbytes stores as a uint8 tensor ({@code
 * weight.quant_state.bitsandbytes__nf4}). Written exactly as Python's {@code json.dumps} writes it
 * (key order, {@code ", "} and {@code ": "} separators, repr floats), so files are byte-identical.
 *
 * @param nested present when the absmax are double-quantized
 */
public record QuantState(
    Bnb4bitType type,
    int blocksize,
    BnbFloatType dtype,
    int rows,
    int cols,
    Optional<Nested> nested) {

  /** The double-quantization fields: {@code nested_blocksize}, {@code nested_offset}. */
  public record Nested(int blocksize, float offset) {}

  /** Block sizes bitsandbytes' 4-bit kernels accept. */
  static final Set<Integer> BLOCKSIZES = Set.of(32, 64, 128, 256, 512, 1024, 2048, 4096);

  private static final BoundedJson JSON = new BoundedJson(64 * 1024);
  private static final Set<String> PLAIN_KEYS = Set.of("quant_type", "blocksize", "dtype", "shape");
  private static final Set<String> NESTED_KEYS =
      Set.of("nested_blocksize", "nested_dtype", "nested_offset");

  /** The UTF-8 JSON bytes, byte-identical to bitsandbytes' {@code pack_dict_to_tensor}. */
  public byte[] toJsonBytes() {
    StringBuilder sb = new StringBuilder(200);
    sb.append("{\"quant_type\": \"").append(type.jsonName()).append('"');
    sb.append(", \"blocksize\": ").append(blocksize);
    sb.append(", \"dtype\": \"").append(dtype.torchName()).append('"');
    sb.append(", \"shape\": [").append(rows).append(", ").append(cols).append(']');
    nested.ifPresent(
        n ->
            sb.append(", \"nested_blocksize\": ")
                .append(n.blocksize())
                .append(", \"nested_dtype\": \"float32\", \"nested_offset\": ")
                .append(PythonFloatRepr.repr(n.offset())));
    sb.append('}');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses and validates a quant_state blob; {@code tensor} names it in errors. Every key must be
   * known and present, with values bitsandbytes could have written.
   */
  static QuantState parse(Path file, String tensor, byte[] json, Bnb4bitType expectedType) {
    JsonNode root;
    try {
      root = JSON.parse(file, json);
    } catch (ConfigException e) {
      throw new FormatException(file, tensor, "quant_state is not valid JSON", null, null, e);
    }
    if (!root.isObject()) {
      throw new FormatException(
          file, tensor, "quant_state must be a JSON object", "object", root.getNodeType());
    }
    boolean isNested =
        root.has("nested_blocksize") || root.has("nested_offset") || root.has("nested_dtype");
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!PLAIN_KEYS.contains(key) && !NESTED_KEYS.contains(key)) {
        throw new FormatException(
            file,
            tensor + "[" + key + "]",
            "unexpected quant_state key",
            PLAIN_KEYS + " + " + NESTED_KEYS,
            key);
      }
    }
    String typeName = text(file, tensor, root, "quant_type");
    if (!typeName.equals(expectedType.jsonName())) {
      throw new FormatException(
          file,
          tensor + "[quant_type]",
          "quant_type does not match the tensor name",
          expectedType.jsonName(),
          typeName);
    }
    int blocksize = positiveInt(file, tensor, root, "blocksize");
    if (!BLOCKSIZES.contains(blocksize)) {
      throw new FormatException(
          file, tensor + "[blocksize]", "unsupported 4-bit block size", BLOCKSIZES, blocksize);
    }
    String dtypeName = text(file, tensor, root, "dtype");
    BnbFloatType dtype =
        BnbFloatType.fromTorchName(dtypeName)
            .orElseThrow(
                () ->
                    new FormatException(
                        file,
                        tensor + "[dtype]",
                        "unsupported dtype",
                        "float32, float16 or bfloat16",
                        dtypeName));
    JsonNode shape = require(file, tensor, root, "shape");
    if (!shape.isArray() || shape.size() != 2) {
      throw new FormatException(
          file,
          tensor + "[shape]",
          "shape must be [out_features, in_features]",
          "2 dimensions",
          shape);
    }
    int rows = positiveInt(file, tensor + "[shape][0]", shape.get(0));
    int cols = positiveInt(file, tensor + "[shape][1]", shape.get(1));
    Optional<Nested> nested = Optional.empty();
    if (isNested) {
      int nb = positiveInt(file, tensor, root, "nested_blocksize");
      String nd = text(file, tensor, root, "nested_dtype");
      if (!nd.equals("float32")) {
        throw new FormatException(
            file, tensor + "[nested_dtype]", "unsupported nested dtype", "float32", nd);
      }
      JsonNode off = require(file, tensor, root, "nested_offset");
      if (!off.isNumber()) {
        throw new FormatException(
            file, tensor + "[nested_offset]", "must be a number", "number", off);
      }
      float offset = off.decimalValue().floatValue();
      if (!Float.isFinite(offset)) {
        throw new FormatException(
            file, tensor + "[nested_offset]", "must be a finite float32", "finite", off);
      }
      nested = Optional.of(new Nested(nb, offset));
    }
    return new QuantState(expectedType, blocksize, dtype, rows, cols, nested);
  }

  private static JsonNode require(Path file, String tensor, JsonNode obj, String key) {
    JsonNode v = obj.get(key);
    if (v == null || v.isNull()) {
      throw new FormatException(
          file, tensor + "[" + key + "]", "quant_state key is missing", key, "absent");
    }
    return v;
  }

  private static String text(Path file, String tensor, JsonNode obj, String key) {
    JsonNode v = require(file, tensor, obj, key);
    if (!v.isTextual()) {
      throw new FormatException(file, tensor + "[" + key + "]", "must be a string", "string", v);
    }
    return v.textValue();
  }

  private static int positiveInt(Path file, String tensor, JsonNode obj, String key) {
    return positiveInt(file, tensor + "[" + key + "]", require(file, tensor, obj, key));
  }

  private static int positiveInt(Path file, String item, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
      throw new FormatException(
          file, item, "must be a positive integer", "1.." + Integer.MAX_VALUE, v);
    }
    return v.intValue();
  }
}
