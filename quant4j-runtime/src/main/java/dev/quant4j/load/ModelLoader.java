package dev.quant4j.load;

import dev.quant4j.arch.ArchitectureProvider;
import dev.quant4j.arch.Architectures;
import dev.quant4j.arch.CausalLmModel;
import dev.quant4j.arch.Compute;
import dev.quant4j.config.ModelConfig;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.ResourceLimitException;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.kernels.Parallelism;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.safetensors.Checkpoint;
import dev.quant4j.tensor.TensorView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pipeline of {@code fromPretrained}, in transformers' order: read the config, resolve the
 * quantization (the checkpoint's own, merged with the user's), instantiate and validate the
 * quantizer, settle dtype and memory budget, choose the weights to convert, stream the shards one
 * at a time quantizing each weight as it is read, then build the model from the prepared weights
 * and zero-copy views of the rest, refusing missing and unexpected tensors.
 */
final class ModelLoader {
  private final Architectures architectures;
  private final QuantizationMethods methods;

  ModelLoader(Architectures architectures, QuantizationMethods methods) {
    this.architectures = architectures;
    this.methods = methods;
  }

  CausalLm load(Path dir, LoadOptions options) {
    long start = System.nanoTime();
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new ConfigException(
          dir,
          "config.json",
          "not a model folder: no config.json",
          "a Hugging Face model folder",
          "no config.json");
    }
    ModelConfig config = ModelConfig.read(configFile);
    ArchitectureProvider arch = architectures.forConfig(config);
    Plan plan = plan(dir, configFile, config, options);

    Checkpoint checkpoint = Checkpoint.open(dir);
    Parallelism pool = null;
    try {
      pool = Parallelism.ofThreads(options.resolvedThreads());
      Map<String, QuantizedWeight> prepared = new HashMap<>();
      CheckpointWeights weights = new CheckpointWeights(checkpoint, prepared);
      if (plan.quantizer().isPresent()) {
        Quantizer quantizer = plan.quantizer().get();
        Set<String> convert =
            quantizer.weightsToConvert(
                arch.linearWeightNames(config), arch.outputHeadWeightName(config));
        checkBudget(dir, options, quantizer, plan.preQuantized(), convert, checkpoint);
        if (plan.preQuantized()) {
          for (String name : convert) {
            prepared.put(name, quantizer.loadPrequantized(name, weights));
          }
        } else {
          quantizeWhileStreaming(checkpoint, quantizer, convert, prepared, weights, pool);
        }
        quantizer.postProcess();
      } else {
        checkBudget(dir, options, null, false, Set.of(), checkpoint);
      }
      Compute compute = new Compute(Kernels.backend(), pool);
      CausalLmModel model = arch.build(config, weights, compute);
      List<String> unused = weights.unused();
      if (!unused.isEmpty()) {
        throw new FormatException(
            checkpoint.source(),
            unused.getFirst(),
            "unexpected tensor: the model has no such parameter"
                + (unused.size() > 1 ? " (and " + (unused.size() - 1) + " more)" : ""));
      }
      LoadReport report =
          new LoadReport(
              plan.config().map(QuantizationConfig::quantMethod),
              plan.preQuantized(),
              weights.entries(),
              Duration.ofNanos(System.nanoTime() - start));
      // The quantizer's config is what the weights now are (compressed-tensors: status
      // "compressed").
      Optional<QuantizationConfig> applied = plan.quantizer().map(Quantizer::config);
      return new CausalLm(
          dir, config, arch, compute, model, checkpoint, pool, report, applied, prepared);
    } catch (RuntimeException | Error e) {
      if (pool != null) {
        pool.close();
      }
      checkpoint.close();
      throw e;
    }
  }

  /** The quantization this load applies, and whether the checkpoint already holds it. */
  private record Plan(
      Optional<QuantizationConfig> config, Optional<Quantizer> quantizer, boolean preQuantized) {}

  private Plan plan(Path dir, Path configFile, ModelConfig config, LoadOptions options) {
    Optional<QuantizationConfig> own =
        config.quantizationConfig().map(node -> methods.parse(configFile, node));
    if (own.isEmpty()) {
      // optimum-quanto checkpoints say their quantization in a file of their own, not config.json
      own = methods.detectPrequantized(dir);
    }
    Optional<QuantizationConfig> chosen = own.isPresent() ? own : options.quantization();
    if (own.isPresent()
        && options.quantization().isPresent()
        && !own.get().quantMethod().equals(options.quantization().get().quantMethod())) {
      throw new ConfigException(
          configFile,
          "quantization_config.quant_method",
          "the checkpoint is already quantized with another method; load it as it is or start from a float checkpoint",
          own.get().quantMethod(),
          options.quantization().get().quantMethod());
    }
    if (chosen.isEmpty()) {
      return new Plan(Optional.empty(), Optional.empty(), false);
    }
    QuantizationConfig qc = chosen.get();
    Quantizer quantizer = methods.find(qc.quantMethod()).orElseThrow().newQuantizer(qc);
    quantizer.validateEnvironment(
        new Quantizer.Environment(
            !Kernels.selection().name().equals("scalar"),
            options.resolvedThreads(),
            options.maxMemory().orElse(-1)));
    quantizer.settleComputeDtype(config.dtype());
    return new Plan(chosen, Optional.of(quantizer), own.isPresent());
  }

  private static void quantizeWhileStreaming(
      Checkpoint checkpoint,
      Quantizer quantizer,
      Set<String> convert,
      Map<String, QuantizedWeight> prepared,
      CheckpointWeights weights,
      Parallelism pool) {
    checkpoint.forEachShard(
        (shard, tensors) -> {
          List<TensorView> todo = tensors.stream().filter(t -> convert.contains(t.name())).toList();
          QuantizedWeight[] done = new QuantizedWeight[todo.size()];
          // The weights of one shard are independent: quantize them on all kernel threads.
          pool.forRange(
              todo.size(),
              1,
              (from, to) -> {
                for (int i = from; i < to; i++) {
                  TensorView t = todo.get(i);
                  t.requireFinite();
                  done[i] = quantizer.quantize(t);
                }
              });
          for (int i = 0; i < done.length; i++) {
            prepared.put(todo.get(i).name(), done[i]);
            weights.markUsed(todo.get(i).name());
          }
        });
  }

  /**
   * With a {@code max_memory} budget, refuses before loading a model whose weights would not fit.
   */
  private static void checkBudget(
      Path dir,
      LoadOptions options,
      Quantizer quantizer,
      boolean preQuantized,
      Set<String> convert,
      Checkpoint checkpoint) {
    if (options.maxMemory().isEmpty()) {
      return;
    }
    long budget =
        quantizer != null
            ? quantizer.adjustMaxMemory(options.maxMemory().getAsLong())
            : options.maxMemory().getAsLong();
    long needed = 0;
    for (String name : checkpoint.tensorNames()) {
      var info = checkpoint.info(name);
      if (quantizer != null
          && !preQuantized
          && convert.contains(name)
          && info.shape().rank() == 2) {
        needed += quantizer.estimateStorageBytes(info.shape().dim(0), info.shape().dim(1));
      } else {
        needed += info.end() - info.begin();
      }
    }
    if (needed > budget) {
      throw new ResourceLimitException(
          dir,
          "max_memory",
          "the model does not fit the memory budget",
          budget + " bytes available for weights",
          needed + " bytes needed");
    }
  }
}
