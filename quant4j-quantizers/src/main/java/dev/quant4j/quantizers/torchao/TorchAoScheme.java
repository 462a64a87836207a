package dev.quant4j.quantizers.torchao;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;

/**
 * What a {@link TorchAoConfig} asks of the weights, in the forms quant4j implements: torchao's
 * plain {@code Int4Tensor} (group-wise asymmetric int4 with a float zero point) and its {@code
 * Int8Tensor} (per-row symmetric int8, optionally with dynamic per-token int8 activations). Every
 * other torchao config fails with "not supported yet".
 */
sealed interface TorchAoScheme {
  /**
   * {@code Int4WeightOnlyConfig}: {@code int4_packing_format = PLAIN} (quantized, loaded and saved)
   * or {@code TILE_PACKED_TO_4D} (tinygemm's CUDA layout, loaded and saved as it is; quantizing
   * into it is not supported yet).
   *
   * @param groupSize the group along the input axis
   * @param tilePacked the {@code TILE_PACKED_TO_4D} packing
   */
  record Int4(int groupSize, boolean tilePacked) implements TorchAoScheme {
    /** The plain packing. */
    Int4(int groupSize) {
      this(groupSize, false);
    }
  }

  /**
   * {@code Int8WeightOnlyConfig} or {@code Int8DynamicActivationInt8WeightConfig}.
   *
   * @param dynamicActivations whether activations are quantized per token at run time
   * @param perTensor one scale for the whole weight instead of one per row
   */
  record Int8(boolean dynamicActivations, boolean perTensor) implements TorchAoScheme {}

  static TorchAoScheme of(TorchAoConfig config) {
    return switch (config.quantType()) {
      case TorchAoQuantType.Named n -> named(n);
      case TorchAoQuantType.AoConfig c -> aoConfig(c);
    };
  }

  private static TorchAoScheme named(TorchAoQuantType.Named n) {
    ObjectNode kwargs = n.kwargs();
    return switch (n.name()) {
      case "int4_weight_only" -> new Int4(groupSize(kwargs, "quant_type_kwargs.group_size"));
      case "int8_weight_only" -> new Int8(false, false);
      case "int8_dynamic_activation_int8_weight" -> new Int8(true, false);
      default -> throw new NotSupportedException("torchao quant_type '" + n.name() + "'");
    };
  }

  private static TorchAoScheme aoConfig(TorchAoQuantType.AoConfig c) {
    ObjectNode data = c.data();
    if (!c.type().startsWith("Int4WeightOnly") && !c.type().startsWith("Int8")) {
      throw new NotSupportedException("torchao config " + c.type());
    }
    if (c.version() != 2) {
      throw new NotSupportedException(
          "torchao "
              + c.type()
              + " version "
              + c.version()
              + " (the AffineQuantizedTensor layouts; version 2 is)");
    }
    return switch (c.type()) {
      case "Int4WeightOnlyConfig" -> {
        String packing = enumValue(data.get("int4_packing_format"), "PLAIN");
        boolean tilePacked = packing.equalsIgnoreCase("TILE_PACKED_TO_4D");
        if (!packing.equalsIgnoreCase("PLAIN") && !tilePacked) {
          throw new NotSupportedException(
              "torchao int4_packing_format "
                  + packing
                  + " (device-specific packed layouts; PLAIN and TILE_PACKED_TO_4D are supported)");
        }
        String algorithm = enumValue(data.get("int4_choose_qparams_algorithm"), "TINYGEMM");
        // HQQ only changes how a tile-packed checkpoint's scales were chosen, not its format.
        boolean loadableAlgorithm =
            algorithm.equalsIgnoreCase("TINYGEMM")
                || (tilePacked && algorithm.equalsIgnoreCase("HQQ"));
        if (!loadableAlgorithm) {
          throw new NotSupportedException("torchao int4_choose_qparams_algorithm " + algorithm);
        }
        yield new Int4(groupSize(data, "quant_type.default._data.group_size"), tilePacked);
      }
      case "Int8WeightOnlyConfig" -> new Int8(false, perTensor(data.get("granularity")));
      case "Int8DynamicActivationInt8WeightConfig" -> {
        String mapping = enumValue(data.get("act_mapping_type"), "SYMMETRIC");
        if (!mapping.equalsIgnoreCase("SYMMETRIC")) {
          throw new NotSupportedException("torchao act_mapping_type " + mapping);
        }
        if (perTensor(data.get("granularity"))) {
          throw new NotSupportedException("torchao dynamic int8 with PerTensor granularity");
        }
        yield new Int8(true, false);
      }
      default -> throw new NotSupportedException("torchao config " + c.type());
    };
  }

  private static int groupSize(ObjectNode node, String key) {
    JsonNode g = node.get("group_size");
    if (g == null || g.isNull()) {
      return 128;
    }
    if (!g.canConvertToInt() || g.intValue() <= 0) {
      throw new ConfigException(null, key, "must be a positive integer", "e.g. 128", g);
    }
    return g.intValue();
  }

  /** An enum as torchao encodes it ({@code {"_type": ..., "_data": "NAME"}}) or a plain string. */
  private static String enumValue(JsonNode node, String absent) {
    if (node == null || node.isNull()) {
      return absent;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    JsonNode d = node.get("_data");
    return d != null && d.isTextual() ? d.textValue() : node.toString();
  }

  /** PerRow (or absent) is false, PerTensor true; other granularities are not supported. */
  private static boolean perTensor(JsonNode granularity) {
    if (granularity == null || granularity.isNull()) {
      return false;
    }
    JsonNode type = granularity.get("_type");
    String name = type == null ? granularity.toString() : type.asText();
    return switch (name) {
      case "PerRow" -> false;
      case "PerTensor" -> true;
      default -> throw new NotSupportedException("torchao int8 granularity " + name);
    };
  }
}
