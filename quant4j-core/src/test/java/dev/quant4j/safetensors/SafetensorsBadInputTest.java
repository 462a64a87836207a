package dev.quant4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.error.FormatException;
import dev.quant4j.error.Quant4jException;
import dev.quant4j.error.ResourceLimitException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every safetensors case of bad-inputs.md, in the reference implementation's order. */
class SafetensorsBadInputTest {
  @TempDir Path dir;

  private static final String T =
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

  /** Fails with {@code type}, naming the file, with every fragment in the message. */
  private static <E extends Quant4jException> E fails(
      Class<E> type, Path file, String... fragments) {
    E e = assertThrows(type, () -> SafetensorsHeader.read(file));
    String msg = e.userMessage();
    assertTrue(
        msg.startsWith(file.toString()), () -> "message does not name the file first: " + msg);
    assertTrue(!msg.contains("\n"), () -> "more than one line: " + msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), () -> "'" + f + "' missing from: " + msg);
    }
    // open must refuse it the same way as readHeader
    assertThrows(type, () -> SafetensorsFile.open(file).close());
    return e;
  }

  @Test
  void headerTooSmall() {
    fails(
        FormatException.class,
        Bytes.write(dir.resolve("a"), new byte[] {1, 0, 0}),
        "header too small",
        "3 bytes");
  }

  @Test
  void headerTooLargeBeforeAllocating() {
    Path p = Bytes.raw(dir, "a", 100_000_001L, new byte[0], new byte[0]);
    fails(ResourceLimitException.class, p, "header too large", "100000001");
    fails(
        ResourceLimitException.class,
        Bytes.raw(dir, "b", -1L, new byte[0], new byte[0]),
        "18446744073709551615");
  }

  @Test
  void exactlyTheCapIsNotTooLargeButRunsPastTheEnd() {
    fails(
        FormatException.class,
        Bytes.raw(dir, "a", 100_000_000L, new byte[0], new byte[0]),
        "invalid header length");
  }

  @Test
  void headerPastEndOfFile() {
    fails(
        FormatException.class,
        Bytes.raw(dir, "a", 50, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]),
        "invalid header length",
        "50 bytes");
  }

  @Test
  void notUtf8() {
    fails(
        FormatException.class,
        Bytes.raw(dir, "a", 3, new byte[] {'{', (byte) 0xff, '}'}, new byte[0]),
        "not UTF-8");
  }

  @Test
  void byteOrderMark() {
    fails(
        FormatException.class,
        Bytes.raw(
            dir, "a", 5, new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'}, new byte[0]),
        "byte-order mark");
  }

  @Test
  void nulPadding() {
    fails(
        FormatException.class,
        Bytes.raw(dir, "a", 4, new byte[] {'{', '}', 0, 0}, new byte[0]),
        "invalid header");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{",
        "[]",
        "{} {}",
        "{}x",
        "\"t\"",
        "{\"t\":1}",
        "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],}}"
      })
  void notAJsonObjectOfTheSchema(String header) {
    fails(FormatException.class, Bytes.file(dir, "a", header, 8), "invalid header");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"f32\"|[2]|[0,8]|unknown dtype",
        "\"F32\"|[-2]|[0,8]|negative",
        "\"F32\"|[2.0]|[0,8]|not an integer",
        "\"F32\"|[2e0]|[0,8]|not an integer",
        "\"F32\"|[\"2\"]|[0,8]|not an integer",
        "\"F32\"|[18446744073709551616]|[0,8]|past 2^64",
        "\"F32\"|[2]|[0,4,8]|wrong number of entries (expected 2, actual 3)",
        "\"F32\"|[2]|[8]|wrong number of entries (expected 2, actual 1)",
        "\"F32\"|2|[0,8]|wrong JSON type",
        "3|[2]|[0,8]|wrong JSON type",
      })
  void wrongTypes(String dtype, String shape, String offsets, String expected) {
    String h =
        "{\"t\":{\"dtype\":"
            + dtype
            + ",\"shape\":"
            + shape
            + ",\"data_offsets\":"
            + offsets
            + "}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 8), "tensor 't'", expected);
  }

  @Test
  void missingField() {
    fails(
        FormatException.class,
        Bytes.file(dir, "a", "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8),
        "tensor 't'",
        "missing field 'shape'");
  }

  @Test
  void duplicateFieldInsideAnEntry() {
    String h = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"shape\":[2],\"data_offsets\":[0,8]}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 8), "tensor 't'", "'shape' appears twice");
  }

  @Test
  void duplicateMetadata() {
    String h = "{\"__metadata__\":{},\"__metadata__\":{}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 0), "'__metadata__'", "twice");
  }

  @Test
  void nonStringMetadataValue() {
    fails(
        FormatException.class,
        Bytes.file(dir, "a", "{\"__metadata__\":{\"format\":1}}", 0),
        "__metadata__.format",
        "a string");
  }

  @Test
  void nestingTooDeep() {
    String deep = "[".repeat(200) + "]".repeat(200);
    String h =
        "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":" + deep + "}}";
    fails(ResourceLimitException.class, Bytes.file(dir, "a", h, 8), "nesting depth");
  }

  @Test
  void duplicateNameAlsoViaEscapes() {
    String e =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"\\u0061\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
    fails(FormatException.class, Bytes.file(dir, "a", e, 2), "'a'", "appears twice");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[4,8]|[8,12]|hole before this tensor",
        "[0,8]|[4,12]|overlaps the previous tensor",
        "[0,8]|[12,20]|hole before this tensor",
      })
  void offsetsMustBeContiguousFromZero(String first, String second, String expected) {
    String h =
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":"
            + first
            + "},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":"
            + second
            + "}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 20), expected);
  }

  @Test
  void endBeforeBegin() {
    String h =
        "{\"t\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},\"u\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},\"v\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,1]}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 2), "tensor 'w'", "end before begin");
  }

  @Test
  void shapeTimesBitsOverflows() {
    String h =
        "{\"t\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 8), "tensor 't'", "overflow");
    String bits =
        "{\"t\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}";
    fails(FormatException.class, Bytes.file(dir, "b", bits, 8), "tensor 't'", "overflow");
  }

  @Test
  void subByteMisaligned() {
    String h = "{\"t\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}";
    fails(FormatException.class, Bytes.file(dir, "a", h, 2), "tensor 't'", "misaligned", "12 bits");
    String f6 = "{\"t\":{\"dtype\":\"F6_E2M3\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    fails(FormatException.class, Bytes.file(dir, "b", f6, 2), "tensor 't'", "misaligned");
  }

  @Test
  void bytesPerTensor() {
    String h = "{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
    fails(
        FormatException.class,
        Bytes.file(dir, "a", h, 8),
        "tensor 't'",
        "(expected 12 bytes, actual 8 bytes)");
  }

  @Test
  void fileLengthExact() {
    fails(
        FormatException.class,
        Bytes.file(dir, "short", T, 7),
        "truncated",
        "expected " + (8 + T.length() + 8));
    fails(FormatException.class, Bytes.file(dir, "long", T, 9), "trailing bytes");
  }

  @Test
  void gitLfsPointer() {
    String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n";
    fails(
        FormatException.class,
        Bytes.write(dir.resolve("model.safetensors"), pointer.getBytes(StandardCharsets.US_ASCII)),
        "Git LFS pointer",
        "fetch the file");
  }

  @Test
  void acceptsWhatTheReferenceAccepts() {
    String h =
        "  {\"b\":{\"data_offsets\":[4,8],\"shape\":[],\"dtype\":\"F32\",\"extra\":{\"n\":[1,2]}},"
            + "\"\":{\"dtype\":\"I8\",\"shape\":[0,5],\"data_offsets\":[4,4]},"
            + "\"z\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[4,4]},"
            + "\"a\":{\"dtype\":\"F4\",\"shape\":[2,4],\"data_offsets\":[0,4]}}\n ";
    SafetensorsHeader header = SafetensorsHeader.read(Bytes.file(dir, "ok", h, 8));
    assertEquals(4, header.tensors().size());
    assertEquals("a", header.tensors().getFirst().name());
    assertEquals(0, header.find("b").orElseThrow().shape().rank());
    assertEquals(0, header.find("").orElseThrow().byteSize());
    assertEquals(8, header.dataLength());
    assertEquals(0, SafetensorsHeader.read(Bytes.file(dir, "empty", "{}", 0)).tensors().size());
  }
}
