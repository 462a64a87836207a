package dev.quant4j.quantizers.hqq;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one {@code HQQLinear} from its encoded state-dict tensors ({@link HqqFormat}), checking
 * every size against the others before anything is allocated from it.
 */
final class HqqReader {
  /** The keys {@code HQQLinear.state_dict_keys()} lists, bar {@code bias}. */
  private static final Set<String> KNOWN =
      Set.of(
          "W_q",
          "nbits",
          "group_size",
          "shape",
          "scale",
          "zero",
          "axis",
          "packing",
          "unpack_view_dtype",
          "view_as_float",
          "quant_scale",
          "quant_zero",
          "compute_dtype",
          "offload_meta",
          "encoded_state_dict",
          "stores_quant_config",
          "channel_wise",
          "optimize",
          "round_zero");

  private final Path source;
  private final String prefix;
  private final Map<String, TensorView> tensors = new LinkedHashMap<>();

  private HqqReader(Path source, String prefix) {
    this.source = source;
    this.prefix = prefix;
  }

  /** Whether the module {@code prefix} is stored as an {@code HQQLinear}. */
  static boolean isPresent(String prefix, TensorLookup lookup) {
    return !lookup.namesStartingWith(prefix + ".W_q").isEmpty();
  }

  static HqqLinear read(String prefix, TensorLookup lookup) {
    HqqReader r = new HqqReader(lookup.source(), prefix);
    for (String name : lookup.namesStartingWith(prefix + ".")) {
      String suffix = name.substring(prefix.length() + 1);
      if (suffix.equals("bias")) {
        continue; // the architecture's, read as a plain tensor
      }
      if (!KNOWN.contains(suffix)) {
        if (suffix.contains(".")) {
          continue; // a child module's tensor, not ours
        }
        throw new NotSupportedException(
            lookup.source(),
            "HQQLinear tensor '"
                + name
                + "' (quantized scales/zeros and other extensions of the state dict)");
      }
      r.tensors.put(suffix, lookup.require(name));
    }
    return r.read();
  }

  private HqqLinear read() {
    if (!flag("encoded_state_dict", true)) {
      throw new NotSupportedException(source, prefix + ": an hqq state dict that is not encoded");
    }
    if (flag("quant_scale", false) || flag("quant_zero", false)) {
      throw new NotSupportedException(source, prefix + ": hqq meta-quantized scales or zeros");
    }
    int nbits = int32("nbits");
    if (nbits != 1 && nbits != 2 && nbits != 3 && nbits != 4 && nbits != 8) {
      throw new NotSupportedException(
          source, prefix + ".nbits = " + nbits + " (1, 2, 3, 4, 8 are)");
    }
    HqqPacking packing = HqqPacking.forBits(nbits);
    String packingName = string("packing");
    if (!packingName.equals(packing.packingName())) {
      throw new FormatException(
          source, prefix + ".packing", "does not match nbits", packing.packingName(), packingName);
    }
    int axis = int32("axis");
    if (axis == 0) {
      throw new NotSupportedException(
          source, prefix + ": hqq axis=0 (groups along the output dimension)");
    }
    if (axis != 1) {
      throw new FormatException(source, prefix + ".axis", "invalid axis", "0 or 1", axis);
    }
    long[] shape = longs("shape", 2);
    long rows = shape[0];
    long cols = shape[1];
    if (rows <= 0 || cols <= 0 || rows > (Integer.MAX_VALUE - 8) / cols) {
      throw new FormatException(
          source,
          prefix + ".shape",
          "not a usable linear shape",
          "positive, < 2^31 elements",
          rows + "x" + cols);
    }
    int groupSize = int32("group_size");
    if (groupSize <= 0 || cols % groupSize != 0) {
      throw new NotSupportedException(
          source,
          prefix
              + ": hqq group_size "
              + groupSize
              + " that does not divide in_features "
              + cols
              + " (groups across rows)");
    }
    if (cols * HqqSettings.kernelBitsOf(nbits) % 8 != 0) {
      throw new NotSupportedException(
          source, prefix + ": in_features " + cols + " that do not fill whole bytes of codes");
    }
    int groups = (int) (rows * cols / groupSize);
    DType compute = computeDtype();
    boolean viewAsFloat = flag("view_as_float", false);
    TensorView wq = require("W_q");
    DType expectedStorage = viewAsFloat ? compute : packing.storage();
    long expectedBytes = packing.packedBytes(groups, groupSize);
    if (!packing.fits(groups)
        || wq.dtype() != expectedStorage
        || wq.data().byteSize() != expectedBytes) {
      throw new FormatException(
          source,
          prefix + ".W_q",
          "wrong packed size for "
              + rows
              + "x"
              + cols
              + " at "
              + nbits
              + " bits, group "
              + groupSize,
          expectedStorage + " of " + expectedBytes + " bytes",
          wq.dtype() + " of " + wq.data().byteSize() + " bytes");
    }
    TensorView scale = meta("scale", compute, groups);
    TensorView zero = meta("zero", compute, groups);
    HqqSettings settings =
        new HqqSettings(
            nbits,
            groupSize,
            axis,
            compute,
            flag("channel_wise", true),
            flag("optimize", true),
            flag("round_zero", false),
            viewAsFloat,
            flag("offload_meta", false));
    byte[] codes = packing.unpack(wq.data(), groups, groupSize);
    List<StoredTensor> asRead = new ArrayList<>();
    tensors.forEach((k, t) -> asRead.add(new StoredTensor(k, t.dtype(), t.shape(), t.data())));
    return new HqqLinear(
        settings, (int) rows, (int) cols, codes, scale.data(), zero.data(), asRead);
  }

  private DType computeDtype() {
    Optional<String> name =
        tensors.containsKey("compute_dtype")
            ? Optional.of(string("compute_dtype"))
            : Optional.empty();
    // Without the key, hqq dequantizes in float16; the scale's own dtype says what is stored.
    DType stored = require("scale").dtype();
    DType compute =
        name.map(
                n ->
                    HqqSettings.fromTorchName(n)
                        .orElseThrow(
                            () ->
                                new NotSupportedException(source, prefix + ".compute_dtype " + n)))
            .orElse(stored);
    if (stored != compute) {
      throw new FormatException(
          source, prefix + ".scale", "not in the compute dtype", compute, stored.name());
    }
    return compute;
  }

  private TensorView meta(String suffix, DType dtype, long numel) {
    TensorView t = require(suffix);
    if (t.dtype() != dtype || t.numel() != numel) {
      throw new FormatException(
          source,
          prefix + "." + suffix,
          "wrong meta tensor",
          dtype + " of " + numel + " values",
          t.dtype() + " of " + t.numel());
    }
    return t;
  }

  private TensorView require(String suffix) {
    TensorView t = tensors.get(suffix);
    if (t == null) {
      throw new FormatException(
          source, prefix + "." + suffix, "missing: an HQQLinear state dict has it");
    }
    return t;
  }

  private int int32(String suffix) {
    TensorView t = require(suffix);
    if (t.dtype() != DType.I32 || t.numel() != 1) {
      throw new FormatException(
          source, prefix + "." + suffix, "expected an int32 scalar", "I32[]", t.toString());
    }
    return t.data().get(HqqFormat.I32_LE, 0);
  }

  private long[] longs(String suffix, int n) {
    TensorView t = require(suffix);
    if (t.dtype() != DType.I64 || t.numel() != n) {
      throw new FormatException(
          source, prefix + "." + suffix, "expected int64 values", "I64[" + n + "]", t.toString());
    }
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = t.data().getAtIndex(HqqFormat.I64_LE, i);
    }
    return out;
  }

  private boolean flag(String suffix, boolean absent) {
    TensorView t = tensors.get(suffix);
    if (t == null) {
      return absent;
    }
    if ((t.dtype() != DType.U8 && t.dtype() != DType.BOOL) || t.numel() != 1) {
      throw new FormatException(
          source, prefix + "." + suffix, "expected a uint8 boolean", "U8[]", t.toString());
    }
    return t.data().get(ValueLayout.JAVA_BYTE, 0) != 0;
  }

  private String string(String suffix) {
    TensorView t = require(suffix);
    if (t.dtype() != DType.U8 || t.shape().rank() != 1 || t.numel() > 64) {
      throw new FormatException(
          source, prefix + "." + suffix, "expected a short uint8 string", "U8[n]", t.toString());
    }
    return new String(t.data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
  }
}
