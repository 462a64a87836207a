package dev.quant4j.arch;

import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.Parallelism;

/**
 * The arithmetic a model runs on: a kernel backend and the thread pool its matrix products use.
 *
 * @param kernels the backend (scalar or Panama)
 * @param pool the threads; owned by whoever created this, closed by them
 */
public record Compute(KernelBackend kernels, Parallelism pool) {}
