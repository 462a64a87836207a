package dev.quant4j.arch.llama;

import dev.quant4j.arch.InferenceSession;
import dev.quant4j.error.ConfigException;
import dev.quant4j.kernels.KernelBackend;
import dev.quant4j.kernels.Parallelism;
import dev.quant4j.kernels.WeightMatrix;

/**
 * One sequence through a {@link LlamaModel}: the KV cache and the scratch buffers, allocated once
 * when the session opens so that decoding allocates nothing per token. Prompts longer than {@link
 * #CHUNK} tokens are processed in chunks of that size, which bounds the scratch memory.
 */
final class LlamaSession implements InferenceSession {
  /** Most tokens one internal pass processes; longer inputs are split (the result is the same). */
  static final int CHUNK = 256;

  private final LlamaModel m;
  private final KernelBackend k;
  private final Parallelism pool;
  private final int capacity;
  private final int hidden;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final int qDim;
  private final int kvDim;
  private final int inter;
  private final float eps;
  private final float attentionScale;
  private final float ropeScaling;
  private final float[][] keyCache;
  private final float[][] valueCache;
  private final float[] x;
  private final float[] xn;
  private final float[] q;
  private final float[] kv;
  private final float[] vv;
  private final float[] att;
  private final float[] gate;
  private final float[] up;
  private final float[] cos;
  private final float[] sin;
  private final float[] scores;
  private final float[] lastRow;
  private int position;

  // Rotary frequencies in use: dynamic NTK scaling recomputes them once a sequence outgrows
  // max_position_embeddings, as transformers' dynamic_rope_update does.
  private float[] inverseFrequencies;
  private int ropeCachedLength;

  // Per-pass state read by the attention task (fields, so the task is allocated once).
  private int passStart;
  private int passLen;
  private final AttentionTask attentionTask = new AttentionTask();

  LlamaSession(LlamaModel model, int capacity) {
    this.m = model;
    this.k = model.compute.kernels();
    this.pool = model.compute.pool();
    var c = model.config;
    this.capacity = capacity;
    this.hidden = c.hiddenSize();
    this.heads = c.numAttentionHeads();
    this.kvHeads = c.numKeyValueHeads();
    this.headDim = c.headDim();
    this.qDim = heads * headDim;
    this.kvDim = kvHeads * headDim;
    this.inter = c.intermediateSize();
    this.eps = (float) c.rmsNormEps();
    this.attentionScale = (float) (1.0 / Math.sqrt(headDim));
    this.ropeScaling = c.rope().attentionScaling();
    int layers = c.numHiddenLayers();
    this.keyCache = new float[layers][];
    this.valueCache = new float[layers][];
    for (int l = 0; l < layers; l++) {
      keyCache[l] = new float[Math.multiplyExact(capacity, kvDim)];
      valueCache[l] = new float[Math.multiplyExact(capacity, kvDim)];
    }
    int chunk = Math.min(CHUNK, capacity);
    this.x = new float[chunk * hidden];
    this.xn = new float[chunk * Math.max(hidden, qDim)];
    this.q = new float[chunk * qDim];
    this.kv = new float[chunk * kvDim];
    this.vv = new float[chunk * kvDim];
    this.att = new float[chunk * qDim];
    this.gate = new float[chunk * inter];
    this.up = new float[chunk * inter];
    this.cos = new float[chunk * headDim / 2];
    this.sin = new float[chunk * headDim / 2];
    this.scores = new float[heads * capacity];
    this.lastRow = new float[hidden];
    this.inverseFrequencies = model.inverseFrequencies;
    this.ropeCachedLength = c.rope().maxPositionEmbeddings();
  }

  @Override
  public int position() {
    return position;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public void reset() {
    position = 0;
  }

  @Override
  public void forward(int[] tokens, int off, int len, float[] logits, LogitsMode mode) {
    int vocab = m.config.vocabSize();
    if (len < 1 || off < 0 || off + len > tokens.length) {
      throw new IllegalArgumentException(
          "forward: bad token range " + off + "+" + len + " of " + tokens.length);
    }
    if (position + len > capacity) {
      throw new ConfigException(
          null,
          "max_tokens",
          "the sequence does not fit the session",
          "<= " + capacity + " positions",
          position + len);
    }
    long needed = mode == LogitsMode.ALL ? (long) len * vocab : vocab;
    if (logits.length < needed) {
      throw new IllegalArgumentException(
          "forward: logits buffer holds " + logits.length + ", needs " + needed);
    }
    for (int i = off; i < off + len; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new ConfigException(
            null, "input_ids", "token id outside the vocabulary", "[0, " + vocab + ")", tokens[i]);
      }
    }
    for (int done = 0; done < len; ) {
      int n = Math.min(CHUNK, len - done);
      pass(tokens, off + done, n);
      if (mode == LogitsMode.ALL) {
        outputHead(x, 0, n, logits, done * vocab);
      } else if (done + n == len) {
        System.arraycopy(x, (n - 1) * hidden, lastRow, 0, hidden);
        outputHead(lastRow, 0, 1, logits, 0);
      }
      done += n;
    }
  }

  /** Runs {@code n} tokens through every layer, leaving their final hidden states in {@code x}. */
  private void pass(int[] tokens, int off, int n) {
    for (int t = 0; t < n; t++) {
      k.toFloat(m.embeddings, (long) tokens[off + t] * hidden, x, t * hidden, hidden);
    }
    ropeTables(position, n);
    passStart = position;
    passLen = n;
    for (int l = 0; l < m.layers.size(); l++) {
      LlamaLayer layer = m.layers.get(l);
      attentionBlock(l, layer, n);
      mlpBlock(layer, n);
    }
    position += n;
  }

  private void attentionBlock(int l, LlamaLayer layer, int n) {
    norm(xn, x, layer.inputNorm(), n, hidden);
    project(layer.qProj(), xn, n, q, layer.qBias());
    project(layer.kProj(), xn, n, kv, layer.kBias());
    project(layer.vProj(), xn, n, vv, layer.vBias());
    if (layer.qNorm() != null) {
      norm(q, q, layer.qNorm(), n * heads, headDim);
      norm(kv, kv, layer.kNorm(), n * kvHeads, headDim);
    }
    int half = headDim / 2;
    for (int t = 0; t < n; t++) {
      k.rope(q, t * qDim, heads, headDim, cos, sin, t * half);
      k.rope(kv, t * kvDim, kvHeads, headDim, cos, sin, t * half);
    }
    System.arraycopy(kv, 0, keyCache[l], passStart * kvDim, n * kvDim);
    System.arraycopy(vv, 0, valueCache[l], passStart * kvDim, n * kvDim);
    attentionTask.layer = l;
    pool.forRange(heads, 1, attentionTask);
    project(layer.oProj(), att, n, xn, layer.oBias());
    k.addInPlace(x, 0, xn, 0, n * hidden);
  }

  private void mlpBlock(LlamaLayer layer, int n) {
    norm(xn, x, layer.postAttentionNorm(), n, hidden);
    project(layer.gateProj(), xn, n, gate, layer.gateBias());
    project(layer.upProj(), xn, n, up, layer.upBias());
    k.swiglu(gate, 0, up, 0, gate, 0, n * inter);
    project(layer.downProj(), gate, n, xn, layer.downBias());
    k.addInPlace(x, 0, xn, 0, n * hidden);
  }

  /** Causal attention of head {@code h} for every token of the pass, against the cache. */
  private void attendHead(int l, int h) {
    int kvh = h / (heads / kvHeads);
    float[] keys = keyCache[l];
    float[] values = valueCache[l];
    int sOff = h * capacity;
    for (int t = 0; t < passLen; t++) {
      int visible = passStart + t + 1;
      int qOff = t * qDim + h * headDim;
      for (int j = 0; j < visible; j++) {
        scores[sOff + j] =
            k.dot(q, qOff, keys, j * kvDim + kvh * headDim, headDim) * attentionScale;
      }
      k.softmax(scores, sOff, visible);
      int outOff = t * qDim + h * headDim;
      java.util.Arrays.fill(att, outOff, outOff + headDim, 0f);
      for (int j = 0; j < visible; j++) {
        k.axpy(scores[sOff + j], values, j * kvDim + kvh * headDim, att, outOff, headDim);
      }
    }
  }

  private void norm(float[] out, float[] in, float[] weight, int rows, int n) {
    for (int r = 0; r < rows; r++) {
      k.rmsnorm(out, r * n, in, r * n, weight, 0, n, eps);
    }
  }

  private void project(WeightMatrix w, float[] in, int n, float[] out, float[] bias) {
    k.matmul(w, in, 0, n, out, 0, pool);
    int rows = w.rows();
    for (int t = 0; t < n; t++) {
      if (bias != null) {
        k.addInPlace(out, t * rows, bias, 0, rows);
      }
      // After the bias, as quanto's forward hook quantizes the module's output (a no-op unless the
      // layer quantizes its output activations).
      w.activations().applyToOutput(out, t * rows, rows);
    }
  }

  private void outputHead(float[] hiddenStates, int from, int n, float[] logits, int logitsOff) {
    norm(xn, hiddenStates, m.finalNorm, n, hidden);
    k.matmul(m.lmHead, xn, 0, n, logits, logitsOff, pool);
    int rows = m.lmHead.rows();
    for (int t = 0; t < n; t++) {
      m.lmHead.activations().applyToOutput(logits, logitsOff + t * rows, rows);
    }
  }

  /**
   * cos and sin of each position of the pass, as transformers computes them in float32: the angle
   * is {@code inv_freq * position} rounded to float, then cos/sin, then times the attention
   * scaling.
   */
  private void ropeTables(int start, int n) {
    updateDynamicFrequencies(start + n);
    float[] invFreq = inverseFrequencies;
    int half = headDim / 2;
    for (int t = 0; t < n; t++) {
      float pos = start + t;
      for (int i = 0; i < half; i++) {
        float angle = invFreq[i] * pos;
        cos[t * half + i] = (float) Math.cos(angle) * ropeScaling;
        sin[t * half + i] = (float) Math.sin(angle) * ropeScaling;
      }
    }
  }

  /**
   * transformers' {@code dynamic_rope_update}: grow past the cached length, reset below the
   * original.
   */
  private void updateDynamicFrequencies(int seqLen) {
    var rope = m.config.rope();
    if (!(rope.scaling() instanceof dev.quant4j.config.RopeConfig.Dynamic)) {
      return;
    }
    int original = rope.maxPositionEmbeddings();
    if (seqLen > ropeCachedLength) {
      inverseFrequencies = rope.inverseFrequencies(headDim, seqLen);
      ropeCachedLength = seqLen;
    }
    if (seqLen < original && ropeCachedLength > original) {
      inverseFrequencies = m.inverseFrequencies;
      ropeCachedLength = original;
    }
  }

  private final class AttentionTask implements Parallelism.RangeTask {
    int layer;

    @Override
    public void run(int from, int to) {
      for (int h = from; h < to; h++) {
        attendHead(layer, h);
      }
    }
  }
}
