package dev.quant4j.arch.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quant4j.arch.InferenceSession;
import dev.quant4j.arch.InferenceSession.LogitsMode;
import dev.quant4j.kernels.Kernels;
import dev.quant4j.load.CausalLm;
import dev.quant4j.load.LoadOptions;
import dev.quant4j.quantizers.QuantizationSpecs;
import dev.quant4j.testing.TestFiles;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding with the Panama kernels allocates nothing per token, on the calling thread nor on the
 * kernel threads: every buffer of a step (activations, quantized tokens, the pool's job) is sized
 * once and reused. Each layout has its own path, so each preset is checked. Until C2 has compiled
 * every method of a step (interpreted or C1 code boxes Vector API values; on this suite's loaded
 * machines that took up to ~800 steps), a step does allocate: the test decodes windows of steps,
 * restarting the session after each, until a whole window allocates nothing, and fails if none
 * does. An allocation in the code itself (a buffer per call, a vector boxed across a call) shows in
 * every window.
 */
class DecodeAllocationTest {
  private static final int WINDOW = 64;
  private static final int MAX_WINDOWS = 60;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"bf16", "bnb-int8", "bnb-nf4"})
  void aDecodeStepAllocatesNothing(String method) {
    // The scalar reference keeps to the definition and allocates its prepared inputs per call.
    assumeTrue(
        Kernels.backend().name().startsWith("panama"),
        "the scalar reference backend allocates by design; this suite runs with "
            + Kernels.backend().name());
    LoadOptions.Builder options = LoadOptions.builder();
    if (!method.equals("bf16")) {
      options.quantization(QuantizationSpecs.load().resolve(method));
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (CausalLm lm = CausalLm.fromPretrained(TestFiles.tinyLlama(), options.build())) {
      int vocab = lm.model().vocabSize();
      float[] logits = new float[vocab];
      InferenceSession session = lm.model().newSession(WINDOW + 1);
      int[] token = {1};
      long caller = -1;
      long workers = -1;
      StringBuilder history = new StringBuilder();
      for (int window = 0; window < MAX_WINDOWS && (caller != 0 || workers != 0); window++) {
        session.reset();
        long[] ids = kernelThreadIds();
        long[] workersBefore = threads.getThreadAllocatedBytes(ids); // allocates its result
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < WINDOW; i++) {
          session.forward(token, 0, 1, logits, LogitsMode.LAST);
          token[0] = (i * 31 + window * 7 + 3) % vocab;
        }
        caller = threads.getCurrentThreadAllocatedBytes() - before;
        long[] workersAfter = threads.getThreadAllocatedBytes(ids);
        workers = 0;
        for (int i = 0; i < ids.length; i++) {
          workers += workersAfter[i] - workersBefore[i];
        }
        history.append(' ').append(caller).append('/').append(workers);
      }
      assertEquals(
          0,
          caller,
          method
              + ": bytes the caller allocated in the last window of "
              + WINDOW
              + "; all:"
              + history);
      assertEquals(0, workers, method + ": bytes the kernel threads allocated in the last window");
    }
  }

  private static long[] kernelThreadIds() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("quant4j-kernels-"))
        .mapToLong(Thread::threadId)
        .toArray();
  }
}
