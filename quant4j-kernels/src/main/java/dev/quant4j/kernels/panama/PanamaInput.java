package dev.quant4j.kernels.panama;

import dev.quant4j.kernels.Codebook;
import dev.quant4j.kernels.Int8Activations;
import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.WeightMatrix;

/**
 * The Panama backend's {@link KernelBackend.PreparedInput}: one per thread, reused by every matmul
 * that thread prepares, so preparing allocates nothing once the buffers have grown to the model's
 * widest input.
 *
 * <p>{@link #kernel} is the matrix the row kernels run, which is the prepared weight itself except
 * in the prefill of an int8-activation layout: the tokens are then fake-quantized once here and the
 * float kernels run on the layout's float twin. The float input {@link #x} from {@link #xOff} is in
 * the order {@link #kernel}'s rows read it (split pairs for 4-bit blocks, unpack order plus group
 * sums for grouped codes); {@link #q}, {@link #scales}, {@link #table} and {@link #step} hold a
 * single token quantized to int8 for the integer gemv.
 */
final class PanamaInput implements KernelBackend.PreparedInput {
  WeightMatrix weight;
  WeightMatrix kernel;
  int tokens;
  float[] x;
  int xOff;

  int[] wide = new int[0];
  short[] q = new short[0];
  short[] qSplit = new short[0];
  float[] scales = new float[0];
  final byte[] table = new byte[Codebook.SIZE];
  float step;

  private float[] activations = new float[0];
  private float[] fake = new float[0];
  private float[] reordered = new float[0];

  @Override
  public WeightMatrix weight() {
    return weight;
  }

  @Override
  public int tokens() {
    return tokens;
  }

  void start(WeightMatrix w, int tokenCount) {
    weight = w;
    kernel = w;
    tokens = tokenCount;
    x = null;
    xOff = 0;
  }

  void input(float[] array, int offset) {
    x = array;
    xOff = offset;
  }

  float[] activations(int n) {
    if (activations.length < n) {
      activations = new float[n];
    }
    return activations;
  }

  float[] fake(int n) {
    if (fake.length < n) {
      fake = new float[n];
    }
    return fake;
  }

  float[] reordered(int n) {
    if (reordered.length < n) {
      reordered = new float[n];
    }
    return reordered;
  }

  /** Room for one token of {@code n} int8 activations and their chunk scales. */
  void ensureQuantized(int n) {
    if (q.length < n) {
      wide = new int[n];
      q = new short[n];
      qSplit = new short[n];
      scales = new float[Int8Activations.chunks(n)];
    }
  }
}
