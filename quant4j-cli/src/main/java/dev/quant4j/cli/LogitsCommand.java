package dev.quant4j.cli;

import dev.quant4j.arch.InferenceSession;
import dev.quant4j.dtype.DType;
import dev.quant4j.load.CausalLm;
import dev.quant4j.safetensors.SafetensorsWriter;
import dev.quant4j.safetensors.TensorData;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quant4j logits}: the prompt's logits at every position, written as safetensors. */
@Command(
    name = "logits",
    description = "Write input_ids (I64 [T]) and logits (F32 [T, vocab]) of one forward pass.")
final class LogitsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions model;

  @Option(
      names = {"-p", "--prompt"},
      required = true,
      paramLabel = "TEXT",
      description = "The prompt.")
  String prompt;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "OUT.safetensors",
      description = "File to write.")
  Path output;

  @Override
  public Integer call() {
    if (java.nio.file.Files.exists(output)) {
      throw new UsageException(
          output + " exists; logits are written to a new file, never over one");
    }
    try (CausalLm lm = model.load();
        Arena arena = Arena.ofConfined()) {
      int[] ids = lm.tokenizer().encode(prompt, true);
      if (ids.length == 0) {
        throw new UsageException("the prompt encodes to no tokens");
      }
      int vocab = lm.model().vocabSize();
      float[] logits = new float[Math.multiplyExact(ids.length, vocab)];
      lm.model()
          .newSession(ids.length)
          .forward(ids, 0, ids.length, logits, InferenceSession.LogitsMode.ALL);
      MemorySegment idBytes = arena.allocate(8L * ids.length);
      for (int i = 0; i < ids.length; i++) {
        idBytes.setAtIndex(
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), i, ids[i]);
      }
      MemorySegment logitBytes = arena.allocate(4L * logits.length);
      MemorySegment.copy(
          logits,
          0,
          logitBytes,
          ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
          0,
          logits.length);
      SafetensorsWriter.write(
          output,
          Map.of("format", "pt"),
          List.of(
              new TensorData("input_ids", DType.I64, Shape.of(ids.length), idBytes),
              new TensorData("logits", DType.F32, Shape.of(ids.length, vocab), logitBytes)));
      spec.commandLine()
          .getErr()
          .printf("wrote %s: %d tokens x %d logits%n", output, ids.length, vocab);
    }
    return 0;
  }
}
