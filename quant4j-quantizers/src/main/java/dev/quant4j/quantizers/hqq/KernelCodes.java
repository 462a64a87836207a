package dev.quant4j.quantizers.hqq;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Codes in the order of {@link dev.quant4j.kernels.GroupedIntMatrix}: row-major, {@code 8 / bits}
 * to a byte, the first element in the lowest bits.
 */
final class KernelCodes {
  private KernelCodes() {}

  static byte[] pack(byte[] q, int bits) {
    int perByte = 8 / bits;
    byte[] out = new byte[Math.ceilDiv(q.length, perByte)];
    for (int f = 0; f < q.length; f++) {
      out[f / perByte] |= (byte) ((q[f] & 0xFF) << ((f % perByte) * bits));
    }
    return out;
  }

  static byte[] unpack(MemorySegment codes, int bits, int n) {
    int perByte = 8 / bits;
    int mask = (1 << bits) - 1;
    byte[] q = new byte[n];
    for (int f = 0; f < n; f++) {
      int b = codes.get(ValueLayout.JAVA_BYTE, f / perByte) & 0xFF;
      q[f] = (byte) ((b >>> ((f % perByte) * bits)) & mask);
    }
    return q;
  }
}
