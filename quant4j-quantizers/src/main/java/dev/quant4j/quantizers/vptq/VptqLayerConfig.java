package dev.quant4j.quantizers.vptq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.ConfigChecks;
import dev.quant4j.quantization.ConfigDict;
import dev.quant4j.quantization.ConfigReader;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code VptqLayerConfig}: one layer's vector-quantization shape. Pairs are {@code
 * [outlier, main]}; -1 means unset.
 *
 * @param enableNorm the layer has per-column normalization
 * @param enablePerm the layer has a column permutation
 * @param groupNum codebooks (column groups)
 * @param groupSize main columns per codebook
 * @param inFeatures input features
 * @param outFeatures output features
 * @param indicesAsFloat outlier indices are stored as fp16 bit patterns
 * @param isIndicePacked indices are bit-packed into int32 (the only layout supported)
 * @param numCentroids centroids per codebook, [outlier, main]
 * @param numResCentroids residual centroids, [outlier, main]
 * @param outlierSize outlier columns
 * @param vectorLens vector length, [outlier, main]
 * @param unknownKeys other keys (such as the informational {@code bias}), kept
 */
public record VptqLayerConfig(
    boolean enableNorm,
    boolean enablePerm,
    int groupNum,
    int groupSize,
    int inFeatures,
    int outFeatures,
    boolean indicesAsFloat,
    boolean isIndicePacked,
    List<Integer> numCentroids,
    List<Integer> numResCentroids,
    int outlierSize,
    List<Integer> vectorLens,
    Map<String, JsonNode> unknownKeys) {
  private static final List<Integer> UNSET = List.of(-1, -1);

  public VptqLayerConfig {
    ConfigChecks.positive("group_num", groupNum);
    ConfigChecks.require(
        isIndicePacked, "is_indice_packed", "unpacked indices are not supported", true, false);
    ConfigChecks.require(outlierSize >= 0, "outlier_size", "negative", ">= 0", outlierSize);
    numCentroids = pair("num_centroids", numCentroids);
    numResCentroids = pair("num_res_centroids", numResCentroids);
    vectorLens = pair("vector_lens", vectorLens);
    unknownKeys = Map.copyOf(unknownKeys);
  }

  private static List<Integer> pair(String key, List<Integer> values) {
    ConfigChecks.require(
        values != null && values.size() == 2, key, "must be [outlier, main]", "2 integers", values);
    return List.copyOf(values);
  }

  static VptqLayerConfig read(ConfigReader r) {
    return r.build(
        () ->
            new VptqLayerConfig(
                r.bool("enable_norm", true),
                r.bool("enable_perm", true),
                r.integer("group_num", 1),
                r.integer("group_size", -1),
                r.integer("in_features", -1),
                r.integer("out_features", -1),
                r.bool("indices_as_float", false),
                r.bool("is_indice_packed", true),
                r.optInts("num_centroids", UNSET),
                r.optInts("num_res_centroids", UNSET),
                r.integer("outlier_size", 0),
                r.optInts("vector_lens", UNSET),
                r.unknown()));
  }

  ObjectNode toDict() {
    ObjectNode d =
        ConfigDict.of("vptq")
            .put("enable_norm", enableNorm)
            .put("enable_perm", enablePerm)
            .put("group_num", groupNum)
            .put("group_size", groupSize)
            .put("in_features", inFeatures)
            .put("out_features", outFeatures)
            .put("indices_as_float", indicesAsFloat)
            .put("is_indice_packed", isIndicePacked)
            .putInts("num_centroids", numCentroids)
            .putInts("num_res_centroids", numResCentroids)
            .put("outlier_size", outlierSize)
            .putInts("vector_lens", vectorLens)
            .unknown(unknownKeys)
            .build();
    // A layer dict has no quant_method of its own.
    d.remove("quant_method");
    return d;
  }
}
