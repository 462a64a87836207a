package dev.quant4j.load;

import dev.quant4j.arch.ArchitectureProvider;
import dev.quant4j.arch.Architectures;
import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.Compute;
import dev.quant4j.config.GenerationConfig;
import dev.quant4j.config.ModelConfig;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.ConfigException;
import dev.quant4j.generation.GenerationOptions;
import dev.quant4j.generation.GenerationResult;
import dev.quant4j.generation.Generator;
import dev.quant4j.generation.TextListener;
import dev.quant4j.kernels.Parallelism;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A causal language model loaded from a Hugging Face folder, with its tokenizer and generation
 * defaults: the entry point of the library.
 *
 * <pre>{@code
 * var config = BitsAndBytesConfig.builder().loadIn4bit(true).quantType("nf4").build();
 * try (var lm = CausalLm.fromPretrained(dir, LoadOptions.builder().quantization(config).build())) {
 *   System.out.println(lm.generate("The jury said", lm.defaultGenerationOptions()).text());
 * }
 * }</pre>
 *
 * Closing releases the memory maps and the kernel threads; the model must not be used afterwards.
 */
public final class CausalLm implements AutoCloseable {
  private final Path dir;
  private final ModelConfig config;
  private final CausalLmModel model;
  private final Checkpoint checkpoint;
  private final Parallelism pool;
  private final LoadReport report;
  private final Optional<QuantizationConfig> quantization;
  private final GenerationConfig generationConfig;
  private final Map<String, QuantizedWeight> quantizedWeights;
  private final ArchitectureProvider architecture;
  private final Compute compute;
  private boolean handedOver;
  private Tokenizer tokenizer;

  CausalLm(
      Path dir,
      ModelConfig config,
      ArchitectureProvider architecture,
      Compute compute,
      CausalLmModel model,
      Checkpoint checkpoint,
      Parallelism pool,
      LoadReport report,
      Optional<QuantizationConfig> quantization,
      Map<String, QuantizedWeight> quantizedWeights) {
    this.dir = dir;
    this.config = config;
    this.model = model;
    this.checkpoint = checkpoint;
    this.pool = pool;
    this.report = report;
    this.quantization = quantization;
    this.generationConfig = GenerationConfig.readOrDefaults(dir);
    this.quantizedWeights = Map.copyOf(quantizedWeights);
    this.architecture = architecture;
    this.compute = compute;
  }

  /** Loads a model folder as it is (quantized when its config.json says so). */
  public static CausalLm fromPretrained(Path dir) {
    return fromPretrained(dir, LoadOptions.defaults());
  }

  /**
   * Loads a model folder, quantizing it on the fly when the options carry a quantization config.
   */
  public static CausalLm fromPretrained(Path dir, LoadOptions options) {
    return new ModelLoader(Architectures.load(), QuantizationMethods.load()).load(dir, options);
  }

  public Path directory() {
    return dir;
  }

  public ModelConfig config() {
    return config;
  }

  public CausalLmModel model() {
    return model;
  }

  public LoadReport loadReport() {
    return report;
  }

  /** The quantization applied or found, empty for a float model. */
  public Optional<QuantizationConfig> quantization() {
    return quantization;
  }

  public GenerationConfig generationConfig() {
    return generationConfig;
  }

  /** The folder's tokenizer.json, read on first use. */
  public synchronized Tokenizer tokenizer() {
    if (tokenizer == null) {
      if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
        throw new ConfigException(dir, "tokenizer.json", "the model folder has no tokenizer.json");
      }
      tokenizer = Tokenizer.load(dir);
    }
    return tokenizer;
  }

  /** Greedy or sampled generation options with the defaults of generation_config.json. */
  public GenerationOptions defaultGenerationOptions() {
    GenerationConfig g = generationConfig;
    var eos = g.eosTokenIds().isEmpty() ? config.eosTokenIds() : g.eosTokenIds();
    return GenerationOptions.builder()
        .maxNewTokens(g.maxNewTokens().orElse(64))
        .doSample(g.doSample())
        .temperature(g.temperature())
        .topK(g.topK())
        .topP(g.topP())
        .minP(g.minP().orElse(0))
        .repetitionPenalty(g.repetitionPenalty())
        .eosTokenIds(eos)
        .build();
  }

  public GenerationResult generate(String prompt, GenerationOptions options) {
    return generate(prompt, options, TextListener.NONE);
  }

  public GenerationResult generate(
      String prompt, GenerationOptions options, TextListener listener) {
    return new Generator(model, tokenizer()).generate(prompt, options, listener);
  }

  /**
   * Saves the model as loaded, quantized weights in their method's format, into a new folder that
   * transformers and quant4j load ({@code save_pretrained}).
   */
  public void savePretrained(Path target) {
    CheckpointSaver.save(dir, target, config.toJson(), quantization, checkpoint, quantizedWeights);
  }

  /**
   * A weight of the model dequantized to float32, row-major; for quantized weights the values the
   * kernels compute with.
   */
  public Optional<float[]> dequantizedWeight(String name) {
    return Optional.ofNullable(quantizedWeights.get(name)).map(QuantizedWeight::dequantize);
  }

  /**
   * The model with every quantized weight turned back into float32 (transformers' {@code
   * dequantize()}); {@link #savePretrained} of the result writes a float checkpoint without a
   * {@code quantization_config}. The resources pass to the returned model: close that one, and do
   * not use this one any more.
   */
  public synchronized CausalLm dequantize() {
    if (quantizedWeights.isEmpty()) {
      return this;
    }
    DType savedAs = DequantizedWeight.savedDtype(config.dtype());
    Map<String, QuantizedWeight> dense = new java.util.HashMap<>();
    quantizedWeights.forEach((name, q) -> dense.put(name, new DequantizedWeight(q, savedAs)));
    CheckpointWeights weights = new CheckpointWeights(checkpoint, dense);
    CausalLmModel rebuilt = architecture.build(config, weights, compute);
    List<LoadReport.WeightEntry> entries =
        weights.entries().stream()
            .map(
                e ->
                    dense.containsKey(e.name())
                        ? new LoadReport.WeightEntry(e.name(), e.format(), false, e.bytes())
                        : e)
            .toList();
    LoadReport dequantizedReport =
        new LoadReport(Optional.empty(), false, entries, report.loadTime());
    ModelConfig floatConfig = config.withQuantizationConfig(null);
    CausalLm floatModel =
        new CausalLm(
            dir,
            floatConfig,
            architecture,
            compute,
            rebuilt,
            checkpoint,
            pool,
            dequantizedReport,
            Optional.empty(),
            dense);
    handedOver = true; // only once the new owner exists: a failure above leaves this one closable
    return floatModel;
  }

  @Override
  public synchronized void close() {
    if (handedOver) {
      return;
    }
    try {
      pool.close();
    } finally {
      checkpoint.close();
    }
  }
}
