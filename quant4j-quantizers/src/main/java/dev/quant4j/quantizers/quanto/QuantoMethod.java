package dev.quant4j.quantizers.quanto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethod;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantization.Support;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;
import java.util.TreeMap;

/** The {@code quanto} provider. */
public final class QuantoMethod implements QuantizationMethod {
  @Override
  public String quantMethod() {
    return QuantoConfig.QUANT_METHOD;
  }

  @Override
  public QuantizationConfig fromDict(Path fileForErrors, ObjectNode dict) {
    return QuantoConfig.fromDict(fileForErrors, dict);
  }

  @Override
  public Optional<QuantizationConfig> defaults() {
    return Optional.of(QuantoConfig.DEFAULTS);
  }

  /**
   * qint8/qint4/qint2/qfloat8 weights, with or without static qint8/qfloat8 activations: quantize
   * (uncalibrated), load and save.
   */
  @Override
  public Support support() {
    return new Support(true, true, true);
  }

  @Override
  public Quantizer newQuantizer(QuantizationConfig config) {
    return new QuantoQuantizer((QuantoConfig) config);
  }

  /**
   * A folder with a {@code quanto_qmap.json} is an optimum-quanto checkpoint; its config names the
   * most common weight qtype (the map itself decides each module's).
   */
  @Override
  public Optional<QuantizationConfig> detectPrequantized(Path dir) {
    Path file = dir.resolve(QuantoQmap.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Map<String, QuantoQmap.Entry> qmap = QuantoQmap.read(file);
    Map<String, Integer> counts = new TreeMap<>();
    String activations = null;
    for (QuantoQmap.Entry e : qmap.values()) {
      QuantoQtype.fromQmapName(e.weights())
          .ifPresent(q -> counts.merge(q.configName(), 1, Integer::sum));
      if (e.quantizesActivations()) {
        activations = e.activations().startsWith("qfloat8") ? "float8" : "int8";
      }
    }
    String weights =
        counts.entrySet().stream()
            .max(Entry.comparingByValue())
            .map(Entry::getKey)
            .orElse(QuantoConfig.DEFAULTS.weights());
    return Optional.of(new QuantoConfig(weights, activations, null, Map.of(), qmap));
  }
}
