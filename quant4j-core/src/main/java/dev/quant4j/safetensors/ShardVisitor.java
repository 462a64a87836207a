package dev.quant4j.safetensors;

import dev.quant4j.tensor.TensorView;
import java.nio.file.Path;
import java.util.List;

/**
 * Receives one shard's tensors at a time from {@link Checkpoint#forEachShard}. The views are valid
 * only during the call: the shard is unmapped right after, so copy (or quantize) what you keep.
 */
@FunctionalInterface
public interface ShardVisitor {
  void visit(Path shard, List<TensorView> tensors);
}
