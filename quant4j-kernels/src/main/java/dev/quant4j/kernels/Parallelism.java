package dev.quant4j.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed team of kernel threads that splits work by ranges of indices (output rows of a matmul,
 * attention heads). The calling thread works too, so a pool of {@code n} threads starts {@code n -
 * 1} workers. Calls are serialized: one pool serves one inference session at a time.
 *
 * <p>Why not a {@code ForkJoinPool}: decode runs hundreds of small gemvs per token, and each task
 * submission there allocates. Here the job is published through fields of this object and a
 * volatile generation counter, workers claim chunks from an atomic counter, and idle workers spin
 * briefly before parking; a {@code matmul} through the pool allocates nothing.
 */
public final class Parallelism implements AutoCloseable {

  /** Work item of {@link #forRange}: handles indices {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  /**
   * Multiply-adds below which a matmul stays on the calling thread: waking a parked worker costs
   * tens of microseconds, about what one core needs for this much work.
   */
  static final long MIN_PARALLEL_WORK = 1L << 17;

  // Spin iterations before parking: covers the short gaps between consecutive matmuls of a layer.
  private static final int SPINS = 1 << 12;

  private final Thread[] workers;
  private final ReentrantLock callLock = new ReentrantLock();
  private final MatmulTask matmulTask = new MatmulTask();
  private final AtomicInteger nextChunk = new AtomicInteger();
  private final AtomicInteger unfinishedWorkers = new AtomicInteger();

  // The current job: written by the caller before the volatile write of generation.
  private RangeTask task;
  private int count;
  private int chunk;
  private volatile int generation;
  private volatile Thread caller;
  private volatile Throwable failure;
  private volatile boolean closed;

  private Parallelism(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("parallelism: expected at least 1 thread, got " + threads);
    }
    workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] =
          Thread.ofPlatform().daemon().name("quant4j-kernels-" + (i + 1)).unstarted(this::work);
      workers[i].start();
    }
  }

  /** A pool using {@code threads} threads in total (the caller included). */
  public static Parallelism ofThreads(int threads) {
    return new Parallelism(threads);
  }

  /** A pool with one thread per available processor. */
  public static Parallelism ofAvailableProcessors() {
    return new Parallelism(Runtime.getRuntime().availableProcessors());
  }

  /** No workers: everything runs on the caller. */
  public static Parallelism singleThreaded() {
    return new Parallelism(1);
  }

  /** Threads working on a job, the caller included. */
  public int threads() {
    return workers.length + 1;
  }

  /**
   * Runs {@code task} over {@code [0, count)} in chunks of at least {@code minChunk} indices,
   * returning when all are done. A task's exception is rethrown here.
   */
  public void forRange(int count, int minChunk, RangeTask task) {
    if (count <= 0) {
      return;
    }
    int chunks = Math.min(threads() * 4, Math.ceilDiv(count, Math.max(1, minChunk)));
    if (workers.length == 0 || chunks <= 1) {
      task.run(0, count);
      return;
    }
    callLock.lock();
    try {
      run(task, count, Math.ceilDiv(count, chunks));
    } finally {
      callLock.unlock();
    }
  }

  void matmul(
      KernelBackend backend,
      WeightMatrix w,
      float[] x,
      int xOff,
      int tokens,
      float[] out,
      int outOff) {
    long work = (long) w.rows() * w.cols() * tokens;
    int rows = w.rows();
    if (workers.length == 0 || work < MIN_PARALLEL_WORK || rows < 2 * threads()) {
      backend.matmulRows(w, x, xOff, tokens, out, outOff, 0, rows);
      return;
    }
    callLock.lock();
    try {
      // Prepared once here, before the rows are shared out: quantizing or reordering the input in
      // every chunk repeated that work threads() * 4 times.
      matmulTask.set(backend, backend.prepare(w, x, xOff, tokens), out, outOff);
      // Four chunks per thread balances a late-waking worker; multiples of 4 rows keep the
      // backends' row blocking whole.
      int rowsPerChunk = (Math.ceilDiv(rows, threads() * 4) + 3) & ~3;
      run(matmulTask, rows, rowsPerChunk);
    } finally {
      matmulTask.clear();
      callLock.unlock();
    }
  }

  private void run(RangeTask job, int n, int chunkSize) {
    task = job;
    count = n;
    chunk = chunkSize;
    failure = null;
    caller = Thread.currentThread();
    nextChunk.set(0);
    unfinishedWorkers.set(workers.length);
    generation = generation + 1; // publishes the fields above
    for (Thread worker : workers) {
      LockSupport.unpark(worker);
    }
    try {
      runChunks();
    } catch (Throwable t) {
      failure = t;
    }
    // Wait for every worker, even idle ones, so none still reads this job's fields after return.
    int spins = 0;
    while (unfinishedWorkers.get() != 0) {
      if (spins++ < SPINS) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
      }
    }
    task = null;
    Throwable t = failure;
    if (t != null) {
      failure = null;
      switch (t) {
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> throw new IllegalStateException("kernel task failed", t);
      }
    }
  }

  private void runChunks() {
    RangeTask job = task;
    int n = count;
    int size = chunk;
    for (int c = nextChunk.getAndIncrement();
        (long) c * size < n;
        c = nextChunk.getAndIncrement()) {
      int from = c * size;
      job.run(from, Math.min(n, from + size));
    }
  }

  private void work() {
    int seen = 0;
    while (true) {
      int spins = 0;
      int g;
      while ((g = generation) == seen && !closed) {
        if (spins++ < SPINS) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      if (closed) {
        return;
      }
      seen = g;
      try {
        runChunks();
      } catch (Throwable t) {
        failure = t;
      }
      if (unfinishedWorkers.decrementAndGet() == 0) {
        LockSupport.unpark(caller);
      }
    }
  }

  /** Stops the workers; the pool must not be used afterwards. */
  @Override
  public void close() {
    closed = true;
    for (Thread worker : workers) {
      LockSupport.unpark(worker);
    }
    for (Thread worker : workers) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The reusable matmul job, so that a call allocates no lambda. */
  private static final class MatmulTask implements RangeTask {
    private KernelBackend backend;
    private KernelBackend.PreparedInput input;
    private float[] out;
    private int outOff;

    void set(KernelBackend backend, KernelBackend.PreparedInput input, float[] out, int outOff) {
      this.backend = backend;
      this.input = input;
      this.out = out;
      this.outOff = outOff;
    }

    void clear() {
      set(null, null, null, 0);
    }

    @Override
    public void run(int from, int to) {
      backend.matmulRows(input, out, outOff, from, to);
    }
  }
}
