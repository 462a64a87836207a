package dev.quant4j.quantizers.torchao;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import java.util.List;

/**
 * TorchAO's {@code quant_type}, in either of the forms files carry: the legacy name with keyword
 * arguments (transformers 4.x) or a serialized {@code AOBaseConfig} object (transformers 5).
 */
public sealed interface TorchAoQuantType {
  /** The legacy names transformers 4.x accepted. */
  List<String> NAMES =
      List.of(
          "int4_weight_only",
          "int8_weight_only",
          "int8_dynamic_activation_int8_weight",
          "float8_weight_only",
          "float8_dynamic_activation_float8_weight",
          "int4_dynamic_activation_int4_weight",
          "int8_dynamic_activation_int4_weight",
          "uintx_weight_only",
          "fpx_weight_only",
          "autoquant");

  /** The {@code AOBaseConfig} classes whose serialized form quant4j knows. */
  List<String> CONFIG_TYPES =
      List.of(
          "Int4WeightOnlyConfig",
          "Int8WeightOnlyConfig",
          "Int8DynamicActivationInt8WeightConfig",
          "Int8StaticActivationInt8WeightConfig",
          "Float8WeightOnlyConfig",
          "Float8DynamicActivationFloat8WeightConfig",
          "IntxWeightOnlyConfig",
          "FqnToConfig",
          "ModuleFqnToConfig");

  /** The value of the {@code quant_type} key. */
  JsonNode toJson();

  /**
   * {@code "quant_type": "int4_weight_only", "quant_type_kwargs": {"group_size": 128}}.
   *
   * @param name one of {@link #NAMES}
   * @param kwargs the keyword arguments, never null
   */
  record Named(String name, ObjectNode kwargs) implements TorchAoQuantType {
    public Named {
      ConfigChecks.oneOf("quant_type", "unknown quantization type", name, NAMES);
      kwargs = kwargs == null ? JsonNodeFactory.instance.objectNode() : kwargs.deepCopy();
    }

    /** A copy: the record's node must stay unchanged. */
    @Override
    public ObjectNode kwargs() {
      return kwargs.deepCopy();
    }

    @Override
    public JsonNode toJson() {
      return JsonNodeFactory.instance.textNode(name);
    }
  }

  /**
   * {@code "quant_type": {"default": {"_type": "Int4WeightOnlyConfig", "_version": 2, "_data":
   * {...}}}}, as torchao's {@code config_to_dict} writes it.
   *
   * @param type the config class name, one of {@link #CONFIG_TYPES}
   * @param version the config's {@code _version}
   * @param data its public fields, encoded by torchao
   */
  record AoConfig(String type, int version, ObjectNode data) implements TorchAoQuantType {
    public AoConfig {
      ConfigChecks.oneOf("quant_type.default._type", "unknown torchao config", type, CONFIG_TYPES);
      ConfigChecks.positive("quant_type.default._version", version);
      data = data == null ? JsonNodeFactory.instance.objectNode() : data.deepCopy();
    }

    /** A copy: the record's node must stay unchanged. */
    @Override
    public ObjectNode data() {
      return data.deepCopy();
    }

    @Override
    public JsonNode toJson() {
      ObjectNode config = JsonNodeFactory.instance.objectNode();
      config.put("_type", type);
      config.put("_version", version);
      config.set("_data", data.deepCopy());
      ObjectNode wrapper = JsonNodeFactory.instance.objectNode();
      wrapper.set("default", config);
      return wrapper;
    }
  }
}
