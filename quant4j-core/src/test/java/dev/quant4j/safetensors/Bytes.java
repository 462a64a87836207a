package dev.quant4j.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, good or bad, for the tests. */
final class Bytes {
  private Bytes() {}

  /**
   * An 8-byte little-endian length, then {@code header} as UTF-8, then {@code dataLength} bytes.
   */
  static Path file(Path dir, String name, String header, int dataLength) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return raw(dir, name, json.length, json, new byte[dataLength]);
  }

  /** A file whose length prefix says {@code declared}, whatever follows. */
  static Path raw(Path dir, String name, long declared, byte[] header, byte[] data) {
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declared).put(header).put(data);
    return write(dir.resolve(name), b.array());
  }

  static Path write(Path p, byte[] bytes) {
    try {
      return Files.write(p, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
