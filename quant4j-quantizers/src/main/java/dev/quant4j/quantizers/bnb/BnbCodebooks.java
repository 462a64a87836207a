package dev.quant4j.quantizers.bnb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The code tables of bitsandbytes, as the float32 bit patterns it hard-codes (NF4, FP4) or builds
 * ({@code create_dynamic_map(signed=True)}, the 8-bit table of double quantization). Kept as bit
 * patterns because a decimal round trip is exactly where a last-ulp difference would creep in.
 */
public final class BnbCodebooks {
  private BnbCodebooks() {}

  /** NormalFloat4: normal quantiles scaled to [-1, 1], index = code. */
  public static final Codebook NF4 =
      Codebook.ofBits(
          0xbf800000,
          0xbf3239b1,
          0xbf066b30,
          0xbeca32a0,
          0xbe91a24d,
          0xbe3d353f,
          0xbdba7871,
          0x00000000,
          0x3da2faff,
          0x3e24cae3,
          0x3e7c04dd,
          0x3ead033a,
          0x3ee1a4b8,
          0x3f1007ab,
          0x3f3913b3,
          0x3f800000);

  /**
   * FP4 (1 sign, 2 exponent, 1 mantissa bit; the code is the bit pattern) divided by 12; index 8,
   * the negative zero pattern, is stored as +0.0.
   */
  public static final Codebook FP4 =
      Codebook.ofBits(
          0x00000000,
          0x3baaaaab,
          0x3f2aaaab,
          0x3f800000,
          0x3eaaaaab,
          0x3f000000,
          0x3e2aaaab,
          0x3e800000,
          0x00000000,
          0xbbaaaaab,
          0xbf2aaaab,
          0xbf800000,
          0xbeaaaaab,
          0xbf000000,
          0xbe2aaaab,
          0xbe800000);

  /** The signed dynamic 8-bit map: 256 sorted values, index 127 = 0, index 255 = 1.0. */
  public static final Codebook DYNAMIC_8BIT = loadHex("dynamic-map.hex", 256);

  private static Codebook loadHex(String resource, int expected) {
    int[] bits = new int[expected];
    int n = 0;
    try (InputStream in = BnbCodebooks.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("quant4j-quantizers is missing its resource " + resource);
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        if (n == expected) {
          throw new IllegalStateException(resource + " holds more than " + expected + " values");
        }
        bits[n++] = Integer.parseUnsignedInt(s, 16);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the resource " + resource, e);
    }
    if (n != expected) {
      throw new IllegalStateException(resource + " holds " + n + " values, expected " + expected);
    }
    return Codebook.ofBits(bits);
  }
}
