package dev.quant4j.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's memory read bandwidth, measured in the same run as the model figures: decode speed
 * is bound by how fast the weights stream from memory, so bytes x tokens/s over this figure says
 * how close a method gets to the hardware's limit.
 */
final class BenchMachine {
  private static final long FILL = 0x0101010101010101L;

  private BenchMachine() {}

  /**
   * Sums {@code bytes} of off-heap memory (far larger than any cache) on {@code threads} threads,
   * {@code passes} times, and returns the best pass in GB/s (10^9 bytes per second).
   */
  static double readBandwidthGbps(long bytes, int threads, int passes) {
    long perThread = (bytes / threads) & ~63L;
    try (Arena arena = Arena.ofShared();
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      MemorySegment memory = arena.allocate(perThread * threads, 64);
      // Every page written once, so reads hit real memory rather than the shared zero page.
      memory.fill((byte) 1);
      long best = Long.MAX_VALUE;
      for (int pass = 0; pass < passes; pass++) {
        long t0 = System.nanoTime();
        List<Future<Long>> sums = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
          MemorySegment slice = memory.asSlice(t * perThread, perThread);
          sums.add(pool.submit(() -> sum(slice)));
        }
        long total = 0;
        for (Future<Long> f : sums) {
          total += f.get();
        }
        best = Math.min(best, System.nanoTime() - t0);
        // Checking the sum keeps the JIT from dropping the reads, and the measurement honest.
        if (total != FILL * (memory.byteSize() / Long.BYTES)) {
          throw new IllegalStateException("bandwidth probe read wrong data: " + total);
        }
      }
      return memory.byteSize() / (best / 1e9) / 1e9;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring memory bandwidth", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("memory bandwidth probe failed", e.getCause());
    }
  }

  /** Four independent accumulators: the loop is bound by loads, not by one add chain. */
  private static long sum(MemorySegment s) {
    long a = 0;
    long b = 0;
    long c = 0;
    long d = 0;
    for (long off = 0; off < s.byteSize(); off += 32) {
      a += s.get(ValueLayout.JAVA_LONG, off);
      b += s.get(ValueLayout.JAVA_LONG, off + 8);
      c += s.get(ValueLayout.JAVA_LONG, off + 16);
      d += s.get(ValueLayout.JAVA_LONG, off + 24);
    }
    return a + b + c + d;
  }
}
