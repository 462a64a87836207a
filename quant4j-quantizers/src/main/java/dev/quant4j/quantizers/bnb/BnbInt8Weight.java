package dev.quant4j.quantizers.bnb;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An LLM.int8() weight {@code [rows, cols]}: row-major int8 codes ({@code CB}) and the float32
 * absmax of each row ({@code SCB}), so that {@code W[o,i] ~ CB[o,i] * SCB[o] / 127}. Immutable; the
 * codes may be a view into a memory map.
 */
public final class BnbInt8Weight {
  /** The float32 constant bitsandbytes multiplies by instead of dividing by 127. */
  static final float INV_127 = 7.874015718698502e-3f;

  private final int rows;
  private final int cols;
  private final MemorySegment codes;
  private final float[] scb;

  BnbInt8Weight(int rows, int cols, MemorySegment codes, float[] scb) {
    if (codes.byteSize() != (long) rows * cols || scb.length != rows) {
      throw new IllegalStateException("int8 weight parts do not match " + rows + "x" + cols);
    }
    this.rows = rows;
    this.cols = cols;
    this.codes = codes.asReadOnly();
    this.scb = scb;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** The {@code rows * cols} int8 codes, row-major, read-only. */
  public MemorySegment codes() {
    return codes;
  }

  public byte code(int row, int col) {
    return codes.get(ValueLayout.JAVA_BYTE, (long) row * cols + col);
  }

  /** The per-row absmax ({@code SCB}). */
  public float[] scb() {
    return scb.clone();
  }

  public float scb(int row) {
    return scb[row];
  }

  /**
   * The scalar reference dequantization ({@code int8_vectorwise_dequant}): {@code f32(f32(CB * SCB)
   * * (1/127 as float32))}, row-major.
   */
  public float[] dequantize() {
    float[] out = new float[Math.multiplyExact(rows, cols)];
    for (int o = 0; o < rows; o++) {
      float s = scb[o];
      for (int i = 0; i < cols; i++) {
        out[o * cols + i] = (code(o, i) * s) * INV_127;
      }
    }
    return out;
  }
}
