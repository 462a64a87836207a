package dev.quant4j.arch.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadOptions;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.testing.TestFiles;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding allocates nothing per token, on the calling thread nor on the kernel threads: every
 * buffer of a step (activations, quantized tokens, the pool's job) is sized once and reused. Each
 * layout has its own path, so each preset is checked; the steps are measured after enough warm-up
 * for C2 to compile the Vector API kernels (interpreted, they box every vector).
 */
class DecodeAllocationTest {
  private static final int WARMUP = 400;
  private static final int MEASURED = 64;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bf16", "bnb-int8", "bnb-nf4"})
  void aDecodeStepAllocatesNothing(String method) {
    LoadOptions.Builder options = LoadOptions.builder();
    if (!method.equals("bf16")) {
      options.quantization(QuantizationSpecs.load().resolve(method));
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama(), options.build())) {
      int vocab = lm.model().vocabSize();
      float[] logits = new float[vocab];
      InferenceSession session = lm.model().newSession(WARMUP + MEASURED + 1);
      int[] token = {1};
      for (int i = 0; i < WARMUP; i++) {
        session.forward(token, 0, 1, logits, LogitsMode.LAST);
        token[0] = (i * 31 + 7) % vocab;
      }
      long[] ids = kernelThreadIds();
      long before = threads.getCurrentThreadAllocatedBytes();
      long[] workersBefore = threads.getThreadAllocatedBytes(ids);
      for (int i = 0; i < MEASURED; i++) {
        session.forward(token, 0, 1, logits, LogitsMode.LAST);
        token[0] = (i * 17 + 3) % vocab;
      }
      long caller = threads.getCurrentThreadAllocatedBytes() - before;
      long[] workersAfter = threads.getThreadAllocatedBytes(ids);
      long workers = 0;
      for (int i = 0; i < ids.length; i++) {
        workers += workersAfter[i] - workersBefore[i];
      }
      assertEquals(
          0, caller, method + ": bytes allocated by the caller over " + MEASURED + " steps");
      assertEquals(
          0, workers, method + ": bytes allocated by kernel threads " + Arrays.toString(ids));
    }
  }

  private static long[] kernelThreadIds() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("quant4j-kernels-"))
        .mapToLong(Thread::threadId)
        .toArray();
  }
}
