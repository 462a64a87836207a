package dev.quant4j.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.ConfigException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.ShardIndex;
import dev.quant4j.safetensors.TensorData;
import dev.quant4j.tensor.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A Llama checkpoint of a given shape filled with deterministic random bf16 weights, laid out as
 * transformers saves it: {@code config.json}, and {@code model-0000i-of-0000n.safetensors} shards
 * with {@code model.safetensors.index.json} when the weights exceed {@code maxShardBytes}. It runs
 * exactly the code a real checkpoint of that shape runs, so speed and memory measured on it are
 * those of the real model, without downloading one.
 *
 * <p>Linear and embedding weights are uniform with standard deviation 0.02 (the usual initializer
 * range; uniform rather than normal because drawing a billion normal samples takes minutes and the
 * kernels' speed does not depend on the distribution); norm weights are 1.0. Each tensor's values
 * depend only on the seed and the tensor's name, so a checkpoint is reproducible whatever the shard
 * size.
 *
 * @param dims the model's shape
 * @param seed the seed of every tensor's values
 * @param maxShardBytes the shard size limit, as transformers' {@code max_shard_size}; it also
 *     bounds the off-heap memory writing needs, since one shard is built at a time
 */
public record SyntheticCheckpoint(Dimensions dims, long seed, long maxShardBytes) {
  /** transformers writes 5 GB shards by default; 1 GB gives a ~2 GB model a real sharded index. */
  public static final long DEFAULT_SHARD_BYTES = 1_000_000_000L;

  public static final long DEFAULT_SEED = 20240501L;

  /** Written last into the folder: describes what the folder holds so a cache can be checked. */
  public static final String MARKER_FILE = "quant4j-synthetic.json";

  private static final ValueLayout.OfShort BF16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final short BF16_ONE = 0x3F80;

  /** Uniform on [-a, a] has standard deviation a / sqrt(3): a = 0.02 * sqrt(3). */
  private static final float HALF_WIDTH = (float) (0.02 * Math.sqrt(3));

  public SyntheticCheckpoint {
    if (maxShardBytes <= 0) {
      throw new ConfigException(null, "max_shard_size", "must be positive", "> 0", maxShardBytes);
    }
  }

  /** TinyLlama-1.1B's shape, default seed and shard size. */
  public static SyntheticCheckpoint tinyLlama1b() {
    return new SyntheticCheckpoint(Dimensions.TINYLLAMA_1_1B, DEFAULT_SEED, DEFAULT_SHARD_BYTES);
  }

  /**
   * The shape of a Llama model: what {@code config.json} says and the tensors follow from.
   *
   * @param maxPositions {@code max_position_embeddings}
   */
  public record Dimensions(
      int hiddenSize,
      int numLayers,
      int numHeads,
      int numKvHeads,
      int intermediateSize,
      int vocabSize,
      int maxPositions,
      double ropeTheta,
      double rmsNormEps) {
    public static final Dimensions TINYLLAMA_1_1B =
        new Dimensions(2048, 22, 32, 4, 5632, 32000, 2048, 10000.0, 1e-5);

    public Dimensions {
      positive("hidden_size", hiddenSize);
      positive("num_hidden_layers", numLayers);
      positive("num_attention_heads", numHeads);
      positive("num_key_value_heads", numKvHeads);
      positive("intermediate_size", intermediateSize);
      positive("vocab_size", vocabSize);
      positive("max_position_embeddings", maxPositions);
      if (hiddenSize % numHeads != 0 || (hiddenSize / numHeads) % 2 != 0) {
        throw new ConfigException(
            null,
            "hidden_size",
            "must split into an even head_dim per attention head",
            "a multiple of 2 * " + numHeads,
            hiddenSize);
      }
      if (numHeads % numKvHeads != 0) {
        throw new ConfigException(
            null,
            "num_key_value_heads",
            "must divide num_attention_heads",
            "a divisor of " + numHeads,
            numKvHeads);
      }
    }

    public int headDim() {
      return hiddenSize / numHeads;
    }

    public long parameterCount() {
      return tensors(this).stream().mapToLong(t -> t.shape().numel()).sum();
    }

    private static void positive(String key, int value) {
      if (value <= 0) {
        throw new ConfigException(null, key, "must be positive", "> 0", value);
      }
    }
  }

  /** One tensor to generate: name, shape, and whether it is a norm weight (all ones). */
  private record Spec(String name, Shape shape, boolean norm) {
    long bytes() {
      return DType.BF16.byteSize(shape.numel());
    }
  }

  /**
   * Returns {@code dir} holding this checkpoint: reused when it already does (the marker matches),
   * written otherwise. Never leaves a partial folder at {@code dir}: the files are written into a
   * sibling temporary folder that is renamed into place only when complete.
   *
   * @throws CheckpointIoException when {@code dir} holds something else, or on I/O failure
   */
  public Path ensure(Path dir) {
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target)) {
      checkMarker(target);
      return target;
    }
    Path parent = target.getParent();
    Path tmp;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
    } catch (IOException e) {
      throw new CheckpointIoException(parent, "cannot create the folder to write into", e);
    }
    try {
      writeInto(tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // Another process finished the same checkpoint first: use theirs if it is the same one.
      checkMarker(target);
    } catch (IOException e) {
      throw new CheckpointIoException(target, "cannot rename the written folder into place", e);
    } finally {
      deleteTree(tmp);
    }
    return target;
  }

  /** Writes the checkpoint's files into the existing empty folder {@code dir}. */
  public void writeInto(Path dir) {
    List<List<Spec>> shards = shards();
    Map<String, String> weightMap = new LinkedHashMap<>();
    long total = 0;
    for (int i = 0; i < shards.size(); i++) {
      String file =
          shards.size() == 1
              ? "model.safetensors"
              : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      writeShard(dir.resolve(file), shards.get(i));
      for (Spec s : shards.get(i)) {
        weightMap.put(s.name(), file);
        total += s.bytes();
      }
    }
    ObjectMapper mapper = BoundedJson.CONFIG.mapper();
    if (shards.size() > 1) {
      ObjectNode index = mapper.createObjectNode();
      index.putObject("metadata").put("total_size", total);
      ObjectNode map = index.putObject("weight_map");
      weightMap.forEach(map::put);
      writeJson(dir.resolve(ShardIndex.FILE_NAME), index);
    }
    writeJson(dir.resolve("config.json"), config(mapper));
    writeJson(dir.resolve(MARKER_FILE), marker(mapper));
  }

  /** Tensors in transformers' state-dict order, grouped as its sharding groups them. */
  private List<List<Spec>> shards() {
    List<List<Spec>> shards = new ArrayList<>();
    List<Spec> current = new ArrayList<>();
    long size = 0;
    for (Spec s : tensors(dims)) {
      if (!current.isEmpty() && size + s.bytes() > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(s);
      size += s.bytes();
    }
    shards.add(current);
    return shards;
  }

  private static List<Spec> tensors(Dimensions d) {
    long h = d.hiddenSize();
    long q = (long) d.numHeads() * d.headDim();
    long kv = (long) d.numKvHeads() * d.headDim();
    long ff = d.intermediateSize();
    List<Spec> specs = new ArrayList<>();
    specs.add(new Spec("model.embed_tokens.weight", Shape.of(d.vocabSize(), h), false));
    for (int i = 0; i < d.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      specs.add(new Spec(p + "self_attn.q_proj.weight", Shape.of(q, h), false));
      specs.add(new Spec(p + "self_attn.k_proj.weight", Shape.of(kv, h), false));
      specs.add(new Spec(p + "self_attn.v_proj.weight", Shape.of(kv, h), false));
      specs.add(new Spec(p + "self_attn.o_proj.weight", Shape.of(h, q), false));
      specs.add(new Spec(p + "mlp.gate_proj.weight", Shape.of(ff, h), false));
      specs.add(new Spec(p + "mlp.up_proj.weight", Shape.of(ff, h), false));
      specs.add(new Spec(p + "mlp.down_proj.weight", Shape.of(h, ff), false));
      specs.add(new Spec(p + "input_layernorm.weight", Shape.of(h), true));
      specs.add(new Spec(p + "post_attention_layernorm.weight", Shape.of(h), true));
    }
    specs.add(new Spec("model.norm.weight", Shape.of(h), true));
    specs.add(new Spec("lm_head.weight", Shape.of(d.vocabSize(), h), false));
    return specs;
  }

  /** Builds one shard off-heap (freed right after), so memory stays bounded by the shard size. */
  private void writeShard(Path file, List<Spec> specs) {
    try (Arena arena = Arena.ofConfined()) {
      List<TensorData> data = new ArrayList<>(specs.size());
      for (Spec s : specs) {
        MemorySegment seg = arena.allocate(s.bytes(), Long.BYTES);
        if (s.norm()) {
          fillOnes(seg);
        } else {
          fillRandom(seg, new SplittableRandom(seed ^ mix(s.name().hashCode())));
        }
        data.add(new TensorData(s.name(), DType.BF16, s.shape(), seg));
      }
      SafetensorsWriter.write(file, Map.of("format", "pt"), data);
    }
  }

  private static void fillOnes(MemorySegment seg) {
    for (long off = 0; off < seg.byteSize(); off += 2) {
      seg.set(BF16, off, BF16_ONE);
    }
  }

  /** Four values per random long: 16 random bits each are plenty for a bf16 (8-bit mantissa). */
  private static void fillRandom(MemorySegment seg, SplittableRandom random) {
    long n = seg.byteSize() / 2;
    float scale = HALF_WIDTH / 32768f;
    long i = 0;
    while (i < n) {
      long bits = random.nextLong();
      for (int k = 0; k < 4 && i < n; k++, i++) {
        seg.set(BF16, 2 * i, toBf16((short) (bits >>> (16 * k)) * scale));
      }
    }
  }

  /** Round to nearest even, as torch converts float32 to bfloat16 (values here are finite). */
  private static short toBf16(float f) {
    int b = Float.floatToRawIntBits(f);
    return (short) ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16);
  }

  /** Spreads a name's hash over 64 bits so seeds of similar names differ in many bits. */
  private static long mix(long x) {
    x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
    x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }

  private ObjectNode config(ObjectMapper mapper) {
    ObjectNode c = mapper.createObjectNode();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("dtype", "bfloat16");
    c.put("hidden_act", "silu");
    c.put("hidden_size", dims.hiddenSize());
    c.put("intermediate_size", dims.intermediateSize());
    c.put("num_hidden_layers", dims.numLayers());
    c.put("num_attention_heads", dims.numHeads());
    c.put("num_key_value_heads", dims.numKvHeads());
    c.put("head_dim", dims.headDim());
    c.put("vocab_size", dims.vocabSize());
    c.put("max_position_embeddings", dims.maxPositions());
    c.put("rms_norm_eps", dims.rmsNormEps());
    c.put("rope_theta", dims.ropeTheta());
    c.put("tie_word_embeddings", false);
    c.put("attention_bias", false);
    c.put("mlp_bias", false);
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    return c;
  }

  private ObjectNode marker(ObjectMapper mapper) {
    ObjectNode m = mapper.createObjectNode();
    m.put("hidden_size", dims.hiddenSize());
    m.put("num_hidden_layers", dims.numLayers());
    m.put("num_attention_heads", dims.numHeads());
    m.put("num_key_value_heads", dims.numKvHeads());
    m.put("intermediate_size", dims.intermediateSize());
    m.put("vocab_size", dims.vocabSize());
    m.put("max_position_embeddings", dims.maxPositions());
    m.put("rope_theta", dims.ropeTheta());
    m.put("rms_norm_eps", dims.rmsNormEps());
    m.put("seed", seed);
    m.put("max_shard_bytes", maxShardBytes);
    return m;
  }

  /** A folder is reused only when its marker describes exactly this checkpoint. */
  private void checkMarker(Path dir) {
    Path file = dir.resolve(MARKER_FILE);
    // Both sides through the same reader, which keeps decimals exact (BigDecimal).
    JsonNode expected =
        BoundedJson.CONFIG.parse(file, marker(BoundedJson.CONFIG.mapper()).toString());
    if (!Files.isRegularFile(file)) {
      throw new CheckpointIoException(
          dir,
          "exists but is not a synthetic checkpoint (no "
              + MARKER_FILE
              + "); delete it or choose another folder",
          null);
    }
    JsonNode actual = BoundedJson.CONFIG.read(file);
    if (!expected.equals(actual)) {
      throw new CheckpointIoException(
          dir,
          "holds another synthetic checkpoint (expected "
              + expected
              + ", actual "
              + actual
              + "); delete it or choose another folder",
          null);
    }
  }

  private static void writeJson(Path file, ObjectNode node) {
    try {
      Files.writeString(
          file,
          BoundedJson.CONFIG.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node)
              + "\n");
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot write", e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: a leftover hidden temporary folder is harmless and the real error matters.
    }
  }
}
