package dev.quant4j.tokenizer;

/**
 * GPT-2's reversible byte-to-character table: printable Latin-1 bytes stand for themselves, the
 * other 68 bytes are shifted to U+0100.. so that every byte becomes a visible vocabulary character
 * (a space becomes {@code Ġ}). Stateless; the tables are immutable after class initialisation.
 */
final class ByteLevelAlphabet {
  private static final char[] BYTE_TO_CHAR = new char[256];
  // Every mapped char is below U+0144, so a dense reverse table is tiny.
  private static final short[] CHAR_TO_BYTE = new short[0x144];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      char c = printable ? (char) b : (char) (256 + shifted++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = (short) b;
    }
  }

  private ByteLevelAlphabet() {}

  /** The UTF-8 bytes of {@code text}, each written as its alphabet character. */
  static String encode(String text) {
    byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    char[] out = new char[utf8.length];
    for (int i = 0; i < utf8.length; i++) {
      out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
    }
    return new String(out);
  }

  /** The byte a character stands for, or -1 when it is not part of the alphabet. */
  static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }
}
