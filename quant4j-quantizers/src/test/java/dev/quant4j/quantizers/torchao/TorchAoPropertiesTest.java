package dev.quant4j.quantizers.torchao;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.json.BoundedJson;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TorchAoPropertiesTest {
  private static float[] values(float[] raw, float magnitude, float offset) {
    float[] w = new float[raw.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = (Float.isFinite(raw[i]) ? Math.clamp(raw[i], -1f, 1f) * magnitude : 0f) + offset;
    }
    return w;
  }

  /** Asymmetric int4: within half a step of the group's range, plus float32 rounding. */
  @Property(tries = 200)
  void int4ErrorIsHalfAStep(
      @ForAll @Size(min = 64, max = 64) float[] raw,
      @ForAll @FloatRange(min = 0.01f, max = 100f) float magnitude,
      @ForAll @FloatRange(min = -10f, max = 10f) float offset,
      @ForAll @IntRange(min = 0, max = 2) int groupPow) {
    int g = 16 << groupPow;
    float[] w = values(raw, magnitude, offset);
    Int4PlainFormat.Parts p = Int4PlainFormat.quantize("w", w, 1, 64, g, DType.F32);
    float[] d = Int4PlainFormat.dequantize(p);
    var m = Int4PlainFormat.matrix(p);
    for (int i = 0; i < w.length; i++) {
      float s = p.scale()[i / g];
      float slack = 8 * Math.ulp(Math.abs(w[i]) + 16 * s);
      assertTrue(Math.abs(w[i] - d[i]) <= 0.5f * s + slack, "w=" + w[i] + " d=" + d[i]);
      assertEquals(d[i], m.get(0, i), 4 * Math.ulp(Math.max(Math.abs(d[i]), 16 * s)));
    }
  }

  /**
   * Symmetric int8 in float32: the row's absmax is 127.5 steps, so nothing is off by more than a
   * half.
   */
  @Property(tries = 200)
  void int8ErrorIsHalfAStep(
      @ForAll @Size(min = 1, max = 200) float[] raw,
      @ForAll @FloatRange(min = 0.01f, max = 1e4f) float magnitude) {
    float[] w = values(raw, magnitude, 0f);
    Int8PlainFormat.Parts p = Int8PlainFormat.quantize(w, 1, w.length, DType.F32, false);
    float[] d = Int8PlainFormat.dequantize(p);
    float s = p.scale()[0];
    for (int i = 0; i < w.length; i++) {
      // the absmax itself sits at 127.5 steps and clamps to 127: half a step, plus roundings
      float bound = 0.5f * s + 2 * Math.ulp(Math.abs(w[i]));
      assertTrue(Math.abs(w[i] - d[i]) <= bound, "w=" + w[i] + " d=" + d[i]);
    }
    float[] x = values(raw, magnitude, 0f);
    float[] q = new float[x.length];
    Int8Activations.INSTANCE.apply(x, 0, 1, x.length, q);
    for (int i = 0; i < x.length; i++) {
      assertTrue(
          Math.abs(x[i] - q[i]) <= 0.5f * s + 2 * Math.ulp(Math.abs(x[i])) + Float.MIN_NORMAL);
    }
  }

  private static TorchAoConfig parse(String json) {
    return TorchAoConfig.fromDict(
        null,
        (ObjectNode)
            new BoundedJson(1 << 16)
                .parse(null, json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void bothConfigFormsRoundTripAndResolve() {
    TorchAoConfig legacy =
        parse(
            "{\"quant_method\":\"torchao\",\"quant_type\":\"int4_weight_only\","
                + "\"quant_type_kwargs\":{\"group_size\":64}}");
    assertEquals(legacy, TorchAoConfig.fromDict(null, legacy.toDict()));
    assertEquals(new TorchAoScheme.Int4(64), TorchAoScheme.of(legacy));
    String v2 =
        "{\"quant_method\":\"torchao\",\"modules_to_not_convert\":null,"
            + "\"include_input_output_embeddings\":false,\"untie_embedding_weights\":false,"
            + "\"quant_type\":{\"default\":{\"_type\":\"Int4WeightOnlyConfig\",\"_version\":2,"
            + "\"_data\":{\"group_size\":128,\"set_inductor_config\":true,"
            + "\"int4_packing_format\":{\"_type\":\"Int4PackingFormat\",\"_data\":\"PLAIN\"},"
            + "\"int4_choose_qparams_algorithm\":{\"_type\":\"Int4ChooseQParamsAlgorithm\","
            + "\"_data\":\"TINYGEMM\"},\"int4_tile_packed_ntile\":8}}}}";
    TorchAoConfig object = parse(v2);
    assertEquals(object, TorchAoConfig.fromDict(null, object.toDict()));
    assertEquals(
        new BoundedJson(1 << 16).parse(null, v2),
        new BoundedJson(1 << 16).parse(null, object.toDict().toString()));
    assertEquals(new TorchAoScheme.Int4(128), TorchAoScheme.of(object));
    TorchAoConfig dyn =
        parse(
            "{\"quant_method\":\"torchao\",\"quant_type\":{\"default\":{\"_type\":"
                + "\"Int8DynamicActivationInt8WeightConfig\",\"_version\":2,\"_data\":{"
                + "\"act_mapping_type\":{\"_type\":\"MappingType\",\"_data\":\"SYMMETRIC\"},"
                + "\"granularity\":{\"_type\":\"PerRow\",\"_version\":1,\"_data\":{\"dim\":-1}}}}}}");
    TorchAoScheme.Int8 s = assertInstanceOf(TorchAoScheme.Int8.class, TorchAoScheme.of(dyn));
    assertTrue(s.dynamicActivations());
  }

  @Test
  void tilePackedInt4ResolvesForLoading() {
    TorchAoConfig c =
        parse(
            "{\"quant_method\":\"torchao\",\"quant_type\":{\"default\":{\"_type\":"
                + "\"Int4WeightOnlyConfig\",\"_version\":2,\"_data\":{\"group_size\":64,"
                + "\"int4_packing_format\":{\"_type\":\"Int4PackingFormat\",\"_data\":"
                + "\"TILE_PACKED_TO_4D\"},\"int4_choose_qparams_algorithm\":{\"_type\":"
                + "\"Int4ChooseQParamsAlgorithm\",\"_data\":\"HQQ\"}}}}}");
    assertEquals(new TorchAoScheme.Int4(64, true), TorchAoScheme.of(c));
  }

  @Test
  void otherTorchaoFormsAreNotSupportedYet() {
    for (String type :
        new String[] {
          "{\"_type\":\"Int4WeightOnlyConfig\",\"_version\":2,\"_data\":{\"int4_packing_format\":"
              + "{\"_type\":\"Int4PackingFormat\",\"_data\":\"PLAIN_INT32\"}}}",
          "{\"_type\":\"Int4WeightOnlyConfig\",\"_version\":2,\"_data\":{"
              + "\"int4_choose_qparams_algorithm\":{\"_type\":\"Int4ChooseQParamsAlgorithm\","
              + "\"_data\":\"HQQ\"}}}",
          "{\"_type\":\"Int4WeightOnlyConfig\",\"_version\":1,\"_data\":{}}",
          "{\"_type\":\"Float8WeightOnlyConfig\",\"_version\":2,\"_data\":{}}",
          "{\"_type\":\"Int8WeightOnlyConfig\",\"_version\":2,\"_data\":{\"granularity\":"
              + "{\"_type\":\"PerGroup\",\"_data\":{\"group_size\":32}}}}"
        }) {
      TorchAoConfig c =
          parse("{\"quant_method\":\"torchao\",\"quant_type\":{\"default\":" + type + "}}");
      NotSupportedException e =
          assertThrows(NotSupportedException.class, () -> new TorchAoMethod().newQuantizer(c));
      assertTrue(e.getMessage().contains("not supported yet"), e.getMessage());
    }
    TorchAoConfig fp8 =
        parse("{\"quant_method\":\"torchao\",\"quant_type\":\"float8_weight_only\"}");
    assertThrows(NotSupportedException.class, () -> new TorchAoMethod().newQuantizer(fp8));
  }
}
