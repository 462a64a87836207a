package dev.quant4j.quantizers.compressed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import java.util.Locale;

/**
 * The two FP4 E2M1 weight formats of compressed-tensors: {@code nvfp4-pack-quantized} (groups of 16
 * with an e4m3 scale each and an f32 global scale per tensor, strategy {@code tensor_group}) and
 * {@code mxfp4-pack-quantized} (groups of 32 with an E8M0 power-of-two scale, strategy {@code
 * group}). Both pack two codes per byte, the even column in the low nibble.
 */
enum Fp4Scheme {
  NVFP4("nvfp4-pack-quantized", 16, "tensor_group", "float8_e4m3fn"),
  MXFP4("mxfp4-pack-quantized", 32, "group", "uint8");

  private final String format;
  private final int groupSize;
  private final String strategy;
  private final String scaleDtype;

  Fp4Scheme(String format, int groupSize, String strategy, String scaleDtype) {
    this.format = format;
    this.groupSize = groupSize;
    this.strategy = strategy;
    this.scaleDtype = scaleDtype;
  }

  String format() {
    return format;
  }

  int groupSize() {
    return groupSize;
  }

  /** Whether {@code w} are FP4 weights ({@code type: float, num_bits: 4}). */
  static boolean isFp4(QuantizationArgs w) {
    return w != null && w.type().equals("float") && w.numBits() == 4;
  }

  /** The scheme of a format name, or null when it is neither FP4 format. */
  static Fp4Scheme ofFormat(String format) {
    for (Fp4Scheme s : values()) {
      if (s.format.equals(format)) {
        return s;
      }
    }
    return null;
  }

  /**
   * The format compressed-tensors infers for FP4 weights without a named format: MXFP4 for groups
   * of 32, NVFP4 for groups of 16 ({@code infer_module_format}'s priority), else null.
   */
  static String infer(QuantizationArgs w) {
    Integer gs = w.groupSize();
    if (gs != null && gs == 32) {
      return MXFP4.format;
    }
    if (gs != null && gs == 16) {
      return NVFP4.format;
    }
    return null;
  }

  /**
   * The {@code scale_dtype} of {@code w} without its {@code torch.} prefix, or null when it is not
   * given.
   */
  static String scaleDtype(QuantizationArgs w) {
    JsonNode n = w.unknownKeys().get("scale_dtype");
    if (n == null || n.isNull()) {
      return null;
    }
    String s = n.asText().toLowerCase(Locale.ROOT);
    return s.startsWith("torch.") ? s.substring("torch.".length()) : s;
  }

  /** NVFP4's input activations: fp4, symmetric, tensor_group of 16, dynamic "local". */
  static boolean isNvfp4Activations(QuantizationArgs in) {
    String dt = scaleDtype(in);
    return isFp4(in)
        && in.symmetric()
        && in.strategy().equals("tensor_group")
        && in.groupSize() == Nvfp4Activations.GROUP
        && in.dynamic() == QuantizationArgs.Dynamic.LOCAL
        && in.actorder() == null
        && (dt == null || dt.equals(NVFP4.scaleDtype));
  }

  /** Whether the scheme names this format's own scale dtype (not just leaves it out). */
  boolean namesScaleDtype(QuantizationArgs w) {
    return scaleDtype.equals(scaleDtype(w));
  }

  /**
   * Fails unless quant4j runs FP4 weights {@code w} stored in {@code format} with input activations
   * {@code in}; {@code where} names the config group in messages.
   */
  static Fp4Scheme check(String where, QuantizationArgs w, QuantizationArgs in, String format) {
    Fp4Scheme s = ofFormat(format);
    if (s == null) {
      throw new NotSupportedException(
          "compressed-tensors fp4 weights in format '" + format + "' (" + where + ")");
    }
    if (in != null && !(s == NVFP4 && isNvfp4Activations(in))) {
      throw new NotSupportedException(
          "compressed-tensors "
              + (isFp4(in) ? "fp4" : in.type() + in.numBits())
              + " input activations with fp4 weights ("
              + where
              + ".input_activations: only NVFP4's own, fp4 in dynamic \"local\" groups of 16,"
              + " and weight-only schemes run)");
    }
    if (!w.symmetric()) {
      throw new NotSupportedException("compressed-tensors asymmetric fp4 weights (" + where + ")");
    }
    if (w.actorder() != null) {
      throw new NotSupportedException(
          "compressed-tensors actorder '" + w.actorder() + "' with fp4 weights (" + where + ")");
    }
    if (!w.strategy().equals(s.strategy)) {
      throw new NotSupportedException(
          "compressed-tensors "
              + format
              + " with strategy '"
              + w.strategy()
              + "' ("
              + where
              + ".weights: expected "
              + s.strategy
              + ")");
    }
    if (w.groupSize() != s.groupSize) {
      throw new ConfigException(
          null,
          where + ".weights.group_size",
          format + " stores groups of " + s.groupSize,
          s.groupSize,
          w.groupSize());
    }
    String dt = scaleDtype(w);
    if (dt != null && !dt.equals(s.scaleDtype)) {
      throw new NotSupportedException(
          "compressed-tensors " + format + " with scale_dtype " + dt + " (" + where + ".weights)");
    }
    return s;
  }
}
