package dev.quant4j.bench;

import dev.quant4j.kernels.ActivationPrecision;
import dev.quant4j.kernels.Codebook;
import dev.quant4j.kernels.DenseMatrix;
import dev.quant4j.kernels.FloatFormat;
import dev.quant4j.kernels.Int8RowMatrix;
import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.Packed4BitMatrix;
import dev.quant4j.kernels.panama.PanamaBackends;
import dev.quant4j.kernels.scalar.ScalarBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * Single-threaded matmul, scalar against Panama, on Llama-1B-like shapes. Convert the average time
 * to throughput with {@code 2 * rows * cols * tokens} flops and the weight bytes streamed per call:
 * {@code rows * cols} times 2 (bf16), 1 (int8, plus 4 per row) or 0.5 (4-bit, plus 4 per 64) — e.g.
 * bf16 5632x2048 = 23.1 MB. Each parameter combination runs in its own fork, so only one Panama
 * width is ever loaded (see {@code panama.Lanes}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBenchmark {

  @Param({"scalar", "panama"})
  public String backend;

  /** "rows x cols" of the weight: TinyLlama-1.1B's attention, MLP up/gate, MLP down and head. */
  @Param({"2048x2048", "5632x2048", "2048x5632", "32000x2048"})
  public String shape;

  /** How activations meet int8 and 4-bit codes ({@code ActivationPrecision}). */
  @Param({"F32", "INT8"})
  public String precision;

  private KernelBackend kernels;
  private DenseMatrix bf16;
  private Int8RowMatrix int8;
  private Packed4BitMatrix nf4;
  private float[] x;
  private float[] out;

  /** Tokens of the gemm benchmark (prefill). */
  static final int GEMM_TOKENS = 32;

  @Setup(Level.Trial)
  public void setUp() {
    kernels = backend.equals("scalar") ? new ScalarBackend() : PanamaBackends.preferred().backend();
    String[] dims = shape.split("x");
    int rows = Integer.parseInt(dims[0]);
    int cols = Integer.parseInt(dims[1]);
    Random r = new Random(42);
    Arena arena = Arena.ofAuto();
    long n = (long) rows * cols;
    MemorySegment b = arena.allocate(n * 2);
    MemorySegment q = arena.allocate(n);
    for (long i = 0; i < n; i++) {
      b.set(
          FormatsLe.SHORT, i * 2, (short) (Float.floatToIntBits((float) r.nextGaussian()) >>> 16));
      q.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(255) - 127));
    }
    bf16 = new DenseMatrix(b, FloatFormat.BF16, rows, cols);
    ActivationPrecision p = ActivationPrecision.valueOf(precision);
    int8 = new Int8RowMatrix(q, FormatsLe.floats(arena, r, rows), rows, cols, p);
    float[] table = new float[Codebook.SIZE];
    for (int i = 0; i < table.length; i++) {
      table[i] = -1f + 2f * i / 15f;
    }
    nf4 =
        new Packed4BitMatrix(
            q.asSlice(0, n / 2),
            FormatsLe.floats(arena, r, (int) (n / 64)),
            Codebook.of(table),
            rows,
            cols,
            64,
            p);
    x = new float[GEMM_TOKENS * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    out = new float[GEMM_TOKENS * rows];
  }

  @Benchmark
  public float gemvBf16() {
    kernels.matmul(bf16, x, 0, 1, out, 0);
    return out[0];
  }

  @Benchmark
  public float gemmBf16T32() {
    kernels.matmul(bf16, x, 0, GEMM_TOKENS, out, 0);
    return out[0];
  }

  @Benchmark
  public float gemvInt8() {
    kernels.matmul(int8, x, 0, 1, out, 0);
    return out[0];
  }

  @Benchmark
  public float gemmInt8T32() {
    kernels.matmul(int8, x, 0, GEMM_TOKENS, out, 0);
    return out[0];
  }

  @Benchmark
  public float gemm4BitT32() {
    kernels.matmul(nf4, x, 0, GEMM_TOKENS, out, 0);
    return out[0];
  }

  @Benchmark
  public float gemv4Bit() {
    kernels.matmul(nf4, x, 0, 1, out, 0);
    return out[0];
  }
}
