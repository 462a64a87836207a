package dev.quant4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.json.BoundedJson;
import org.junit.jupiter.api.Test;

/**
 * RoPE frequencies against transformers 5.18 (torch 2.13 CPU). The expected arrays were printed by
 * a throw-away script that built a {@code LlamaConfig(hidden_size=4*head_dim,
 * num_attention_heads=4, head_dim=..., max_position_embeddings=..., rope_parameters={...})} and
 * called {@code ROPE_INIT_FUNCTIONS[type](config, "cpu", seq_len)} (for "default": {@code
 * LlamaRotaryEmbedding.compute_default_rope_parameters}), printing each float32 with {@code
 * str(np.float32(x))}. The parameters are those in each test's JSON.
 */
class RopeConfigTest {
  /**
   * Bit-exact against torch 2.13 on x86-64 when written; one ulp allowed because torch's vectorised
   * powf (Sleef u10) is only specified to 1 ulp and may round differently elsewhere.
   */
  private static final int ULPS = 1;

  private static final float[] DEFAULT_5E5_HD64 = {
    1.0f, 0.6636013f, 0.44036663f, 0.29222783f,
    0.19392276f, 0.12868738f, 0.0853971f, 0.05666962f,
    0.03760603f, 0.024955409f, 0.01656044f, 0.010989529f,
    0.007292665f, 0.0048394212f, 0.003211446f, 0.0021311196f,
    0.0014142134f, 0.00093847385f, 0.00062277244f, 0.00041327256f,
    0.0002742482f, 0.00018199143f, 0.00012076974f, 8.014295e-05f,
    5.3182957e-05f, 3.5292276e-05f, 2.3419998e-05f, 1.554154e-05f,
    1.0313385e-05f, 6.8439754e-06f, 4.5416705e-06f, 3.013858e-06f,
  };

  private static final float[] LINEAR_F4_PARTIAL_HALF_HD64 = {
    0.25f, 0.14058533f, 0.07905694f, 0.044456985f,
    0.025f, 0.014058532f, 0.007905695f, 0.0044456986f,
    0.0025f, 0.0014058533f, 0.00079056947f, 0.00044456986f,
    0.00025f, 0.00014058533f, 7.905695e-05f, 4.4456985e-05f,
  };

  private static final float[] DYNAMIC_INIT_HD32 = {
    1.0f, 0.56234133f, 0.31622776f, 0.17782794f,
    0.1f, 0.05623413f, 0.03162278f, 0.017782794f,
    0.01f, 0.0056234132f, 0.0031622779f, 0.0017782794f,
    0.001f, 0.0005623413f, 0.0003162278f, 0.00017782794f,
  };

  private static final float[] DYNAMIC_SEQ3000_HD32 = {
    1.0f, 0.5060903f, 0.25612736f, 0.12962355f,
    0.065601215f, 0.033200134f, 0.016802264f, 0.008503463f,
    0.0043035196f, 0.0021779693f, 0.001102249f, 0.0005578375f,
    0.00028231612f, 0.00014287744f, 7.2308874e-05f, 3.6594818e-05f,
  };

  private static final float[] LLAMA3_HD64 = {
    1.0f, 0.6636013f, 0.44036663f, 0.29222783f,
    0.19392276f, 0.12868738f, 0.0853971f, 0.05666962f,
    0.03760603f, 0.024955409f, 0.01656044f, 0.010989529f,
    0.007292665f, 0.0048394212f, 0.003211446f, 0.0013718937f,
    0.000524846f, 0.00017850779f, 7.7846555e-05f, 5.165907e-05f,
    3.4281024e-05f, 2.2748929e-05f, 1.5096218e-05f, 1.0017869e-05f,
    6.6478697e-06f, 4.4115345e-06f, 2.9274997e-06f, 1.9426925e-06f,
    1.2891732e-06f, 8.554969e-07f, 5.677088e-07f, 3.7673226e-07f,
  };

  private static final float[] YARN_F4_HD64 = {
    1.0f, 0.64938164f, 0.4216965f, 0.27384198f,
    0.17782794f, 0.1154782f, 0.074989416f, 0.048696753f,
    0.03162278f, 0.020535251f, 0.013335215f, 0.008659643f,
    0.0051547955f, 0.0030431177f, 0.0017785303f, 0.0010266177f,
    0.00058333337f, 0.00032469083f, 0.00017570687f, 9.128065e-05f,
    4.4456985e-05f, 2.8869548e-05f, 1.8747356e-05f, 1.2174189e-05f,
    7.905694e-06f, 5.1338125e-06f, 3.3338035e-06f, 2.164911e-06f,
    1.4058534e-06f, 9.129353e-07f, 5.9284343e-07f, 3.8498163e-07f,
  };

  private static final float[] YARN_F40_MSCALE_NOTRUNC_HD32 = {
    1.0f, 0.56234133f, 0.31622776f, 0.17782794f,
    0.1f, 0.05623413f, 0.027710859f, 0.012703143f,
    0.0055240626f, 0.0021957308f, 0.00072263816f, 0.000118387645f,
    2.5e-05f, 1.40585325e-05f, 7.9056945e-06f, 4.4456983e-06f,
  };

  @Test
  void defaultRope() {
    RopeConfig rope =
        parse(
            """
            {"rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}}""",
            8192);
    assertEquals("default", rope.type());
    assertClose(DEFAULT_5E5_HD64, rope.inverseFrequencies(64));
    assertEquals(1.0f, rope.attentionScaling());
  }

  @Test
  void linearWithPartialRotaryFactor() {
    RopeConfig rope =
        parse(
            """
            {"rope_parameters": {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0,
              "partial_rotary_factor": 0.5}}""",
            2048);
    assertEquals(32, rope.rotaryDim(64));
    assertClose(LINEAR_F4_PARTIAL_HALF_HD64, rope.inverseFrequencies(64));
  }

  @Test
  void dynamicNtkGrowsTheBaseOnlyBeyondMaxPositions() {
    RopeConfig rope =
        parse(
            """
            {"rope_scaling": {"type": "dynamic", "factor": 2.0}, "rope_theta": 10000.0}""",
            1024);
    assertClose(DYNAMIC_INIT_HD32, rope.inverseFrequencies(32));
    assertClose(DYNAMIC_INIT_HD32, rope.inverseFrequencies(32, 1000));
    assertClose(DYNAMIC_SEQ3000_HD32, rope.inverseFrequencies(32, 3000));
  }

  @Test
  void llama3() {
    RopeConfig rope =
        parse(
            """
            {"rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
              "low_freq_factor": 1.0, "high_freq_factor": 4.0,
              "original_max_position_embeddings": 8192}}""",
            131072);
    assertClose(LLAMA3_HD64, rope.inverseFrequencies(64));
    // Sequence length matters for dynamic NTK only.
    assertClose(LLAMA3_HD64, rope.inverseFrequencies(64, 500_000));
  }

  @Test
  void yarnDefaultAttentionFactor() {
    RopeConfig rope =
        parse(
            """
            {"rope_parameters": {"rope_type": "yarn", "rope_theta": 1000000.0, "factor": 4.0,
              "original_max_position_embeddings": 32768}}""",
            131072);
    assertClose(YARN_F4_HD64, rope.inverseFrequencies(64));
    assertEquals((float) 1.138629436111989, rope.attentionScaling());
  }

  @Test
  void yarnWithMscaleAndNoTruncation() {
    RopeConfig rope =
        parse(
            """
            {"rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 40.0,
              "original_max_position_embeddings": 4096, "beta_fast": 32, "beta_slow": 1,
              "mscale": 1.0, "mscale_all_dim": 0.707, "truncate": false}}""",
            163840);
    assertClose(YARN_F40_MSCALE_NOTRUNC_HD32, rope.inverseFrequencies(32));
    assertEquals((float) 1.0857263992561355, rope.attentionScaling());
  }

  @Test
  void explicitYarnAttentionFactorWins() {
    RopeConfig rope =
        parse(
            """
            {"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "attention_factor": 0.75,
              "original_max_position_embeddings": 32768}}""",
            131072);
    assertEquals(0.75f, rope.attentionScaling());
  }

  @Test
  void bothFormsGiveEqualConfigs() {
    String[][] pairs = {
      {
        """
        {"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}}""",
        """
        {"rope_theta": 10000.0, "rope_scaling": null}"""
      },
      {
        """
        {"rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
          "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}""",
        """
        {"rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
          "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}"""
      },
      {
        """
        {"rope_parameters": {"rope_type": "linear", "rope_theta": 10000.0, "factor": 2.0}}""",
        """
        {"rope_scaling": {"type": "linear", "factor": 2.0}}"""
      },
      {
        """
        {"rope_parameters": {"rope_type": "yarn", "rope_theta": 1000000.0, "factor": 4.0,
          "original_max_position_embeddings": 32768}}""",
        """
        {"rope_theta": 1e6, "rope_scaling": {"type": "yarn", "factor": 4,
          "original_max_position_embeddings": 32768}}"""
      },
    };
    for (String[] pair : pairs) {
      assertEquals(parse(pair[0], 131072), parse(pair[1], 131072), pair[1]);
    }
  }

  @Test
  void absentRopeKeysMeanDefaultRopeWithTheta10000() {
    RopeConfig rope = parse("{}", 2048);
    assertEquals(RopeConfig.defaults(10000.0, 2048), rope);
  }

  @Test
  void yarnWithoutFactorUsesTheContextRatio() {
    RopeConfig rope =
        parse(
            """
            {"rope_parameters": {"rope_type": "yarn", "factor": null,
              "original_max_position_embeddings": 4096}}""",
            16384);
    assertEquals(4.0, ((RopeConfig.Yarn) rope.scaling()).factor());
  }

  @Test
  void unsupportedRopeTypesAreRefusedByName() {
    for (String type : new String[] {"longrope", "su", "mrope", "proportional"}) {
      NotSupportedException e =
          assertThrows(
              NotSupportedException.class,
              () ->
                  parse("{\"rope_scaling\": {\"type\": \"" + type + "\", \"factor\": 2.0}}", 4096));
      assertTrue(e.getMessage().contains("'" + type + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("rope_scaling.type"), e.getMessage());
    }
  }

  @Test
  void missingOrBadScalingParametersNameTheKey() {
    assertKey("rope_parameters.factor", "{\"rope_parameters\": {\"rope_type\": \"linear\"}}");
    assertKey(
        "rope_parameters.factor",
        "{\"rope_parameters\": {\"rope_type\": \"dynamic\", \"factor\": -2}}");
    assertKey(
        "rope_scaling.low_freq_factor",
        "{\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8, \"high_freq_factor\": 4}}");
    assertKey(
        "rope_scaling.high_freq_factor",
        """
        {"rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 4,
          "high_freq_factor": 1}}""");
    assertKey("rope_theta", "{\"rope_theta\": 0}");
    assertKey("rope_parameters.rope_theta", "{\"rope_parameters\": {\"rope_theta\": \"big\"}}");
    assertKey("rope_scaling", "{\"rope_scaling\": [1, 2]}");
  }

  private static void assertKey(String key, String json) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(json, 4096));
    assertEquals(key, e.key(), e.getMessage());
  }

  private static RopeConfig parse(String json, int maxPositions) {
    JsonNode node = BoundedJson.CONFIG.parse(null, json);
    return RopeParser.parse(JsonFields.of(null, "", node, "config.json"), maxPositions);
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "length");
    for (int i = 0; i < expected.length; i++) {
      float tolerance = ULPS * Math.ulp(expected[i]);
      if (Math.abs(expected[i] - actual[i]) > tolerance) {
        fail("inv_freq[" + i + "]: expected " + expected[i] + ", actual " + actual[i]);
      }
    }
  }
}
