package dev.quant4j.bench;

import dev.quant4j.kernels.ActivationQuantizer;
import dev.quant4j.kernels.E4m3;
import dev.quant4j.kernels.Fp8Matrix;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.WeightMatrix;
import dev.quant4j.kernels.panama.PanamaBackends;
import dev.quant4j.kernels.scalar.ScalarBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-threaded matmul of the group-wise integer and FP8 layouts, scalar against Panama, on
 * Llama-1B-like shapes, one token (decode) and 16 (prefill). Weight bytes streamed per call, to
 * turn the average time into GB/s: {@code rows * cols * bits / 8} codes plus 8 bytes (scale, zero)
 * per group for G2/G4/G8 (G4 and G2 with groups of 128, G8 with one group per row as int8
 * per-channel checkpoints); {@code rows * cols} codes plus 4 bytes per block for FP8, per-channel
 * ({@code 1 x cols}) or in 128x128 blocks. Each parameter combination runs in its own fork, so only
 * one Panama width is loaded (see {@code panama.Lanes}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GroupedFp8Benchmark {

  @Param({"scalar", "panama"})
  public String backend;

  @Param({"G4", "G8", "G2", "FP8-CHANNEL", "FP8-BLOCK"})
  public String layout;

  /** "rows x cols" of the weight. */
  @Param({"2048x2048", "5632x2048"})
  public String shape;

  @Param({"1", "16"})
  public int tokens;

  private KernelBackend kernels;
  private WeightMatrix weight;
  private float[] x;
  private float[] out;

  @Setup(Level.Trial)
  public void setUp() {
    kernels = backend.equals("scalar") ? new ScalarBackend() : PanamaBackends.preferred().backend();
    String[] dims = shape.split("x");
    int rows = Integer.parseInt(dims[0]);
    int cols = Integer.parseInt(dims[1]);
    Random r = new Random(42);
    Arena arena = Arena.ofAuto();
    weight =
        switch (layout) {
          case "G4" -> grouped(arena, r, 4, rows, cols, 128);
          case "G8" -> grouped(arena, r, 8, rows, cols, cols);
          case "G2" -> grouped(arena, r, 2, rows, cols, 128);
          case "FP8-CHANNEL" -> fp8(arena, r, rows, cols, 1, cols);
          case "FP8-BLOCK" -> fp8(arena, r, rows, cols, 128, 128);
          default -> throw new IllegalArgumentException("unknown layout " + layout);
        };
    x = new float[tokens * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    out = new float[tokens * rows];
  }

  private static MemorySegment randomBytes(Arena arena, Random r, long n) {
    MemorySegment s = arena.allocate(n);
    for (long i = 0; i < n; i++) {
      s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
    }
    return s;
  }

  private static GroupedIntMatrix grouped(
      Arena arena, Random r, int bits, int rows, int cols, int groupSize) {
    int groups = rows * (cols / groupSize);
    MemorySegment zeros = arena.allocate(groups * 4L);
    for (int i = 0; i < groups; i++) {
      zeros.set(FormatsLe.FLOAT, i * 4L, r.nextFloat() * ((1 << bits) - 1));
    }
    return new GroupedIntMatrix(
        randomBytes(arena, r, (long) rows * cols * bits / 8),
        bits,
        FormatsLe.floats(arena, r, groups),
        zeros,
        rows,
        cols,
        groupSize);
  }

  /**
   * Codes of Gaussian weights scaled so that 4 sigma maps to 448 and rounded to the nearest e4m3,
   * as a checkpoint's are: about 1e-4 of them subnormal. Uniformly random bytes would make 6%
   * subnormal, which the kernels' float multiply pays for with a microcode assist on x86.
   */
  private static Fp8Matrix fp8(
      Arena arena, Random r, int rows, int cols, int blockRows, int blockCols) {
    float[] positive = new float[0x7F];
    for (int c = 0; c < positive.length; c++) {
      positive[c] = E4m3.toFloat((byte) c);
    }
    MemorySegment codes = arena.allocate((long) rows * cols);
    for (long i = 0; i < codes.byteSize(); i++) {
      float v = (float) r.nextGaussian() * 112f;
      int c = Arrays.binarySearch(positive, Math.min(448f, Math.abs(v)));
      if (c < 0) {
        int above = Math.min(-c - 1, positive.length - 1);
        c =
            above > 0 && Math.abs(v) - positive[above - 1] < positive[above] - Math.abs(v)
                ? above - 1
                : above;
      }
      codes.set(ValueLayout.JAVA_BYTE, i, (byte) (v < 0 ? c | 0x80 : c));
    }
    int blocks = ((rows + blockRows - 1) / blockRows) * ((cols + blockCols - 1) / blockCols);
    return new Fp8Matrix(
        codes,
        FormatsLe.floats(arena, r, blocks),
        rows,
        cols,
        blockRows,
        blockCols,
        ActivationQuantizer.NONE);
  }

  @Benchmark
  public float matmul() {
    kernels.matmul(weight, x, 0, tokens, out, 0);
    return out[0];
  }
}
