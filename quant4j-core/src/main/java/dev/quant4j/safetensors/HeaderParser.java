package dev.quant4j.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.ResourceLimitException;
import dev.quant4j.json.BoundedJson;
import dev.quant4j.tensor.Shape;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a safetensors header in the reference implementation's order (see
 * bad-inputs.md), so that the first error reported is the one the reference would report, and
 * nothing is allocated from a length the file gives before that length is checked.
 */
final class HeaderParser {
  private HeaderParser() {}

  /** No real tensor has this many dimensions; the cap bounds what a hostile array can cost. */
  private static final int MAX_RANK = 1024;

  private static final String METADATA = "__metadata__";
  private static final byte[] LFS_PREFIX =
      "version https://git-lfs".getBytes(StandardCharsets.US_ASCII);

  /**
   * Jackson's duplicate detection is off here: names are checked (after unescaping) by this class,
   * so the error can say whether a tensor name or a field repeats.
   */
  private static final JsonFactory FACTORY =
      new BoundedJson(SafetensorsHeader.MAX_HEADER_LENGTH)
          .mapper()
          .getFactory()
          .rebuild()
          .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  static SafetensorsHeader read(Path file, FileChannel ch) throws IOException {
    long fileSize = ch.size();
    ByteBuffer prefix = ByteBuffer.allocate((int) Math.min(LFS_PREFIX.length, fileSize));
    readFully(ch, prefix, 0);
    if (isLfsPointer(prefix)) {
      throw new FormatException(
          file, null, "a Git LFS pointer, not the weights: fetch the file (git lfs pull)");
    }
    if (fileSize < 8) {
      throw new FormatException(
          file,
          null,
          "header too small: the 8-byte length prefix is missing",
          ">= 8 bytes",
          fileSize + " bytes");
    }
    long n = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (n < 0 || n > SafetensorsHeader.MAX_HEADER_LENGTH) {
      throw new ResourceLimitException(
          file,
          null,
          "header too large",
          SafetensorsHeader.MAX_HEADER_LENGTH + " bytes at most",
          Long.toUnsignedString(n) + " bytes");
    }
    if (n + 8 > fileSize) {
      throw new FormatException(
          file,
          null,
          "invalid header length: the header runs past the end of the file",
          "<= " + (fileSize - 8) + " bytes",
          n + " bytes");
    }
    ByteBuffer json = ByteBuffer.allocate((int) n);
    readFully(ch, json, 8);
    String text = decodeUtf8(file, json.flip());
    SafetensorsHeader header = parse(file, n, text);
    long expectedSize = 8 + n + header.dataLength();
    if (expectedSize != fileSize) {
      throw new FormatException(
          file,
          null,
          fileSize < expectedSize
              ? "truncated: the data buffer is shorter than the header says"
              : "trailing bytes after the last tensor",
          expectedSize + " bytes",
          fileSize + " bytes");
    }
    return header;
  }

  private static boolean isLfsPointer(ByteBuffer prefix) {
    if (prefix.limit() < LFS_PREFIX.length) {
      return false;
    }
    for (int i = 0; i < LFS_PREFIX.length; i++) {
      if (prefix.get(i) != LFS_PREFIX[i]) {
        return false;
      }
    }
    return true;
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
    while (dst.hasRemaining()) {
      int r = ch.read(dst, position + dst.position());
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static String decodeUtf8(Path file, ByteBuffer bytes) {
    if (bytes.remaining() >= 3
        && (bytes.get(0) & 0xff) == 0xef
        && (bytes.get(1) & 0xff) == 0xbb
        && (bytes.get(2) & 0xff) == 0xbf) {
      throw new FormatException(file, null, "invalid header: starts with a byte-order mark");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new FormatException(file, null, "invalid header: not UTF-8", null, null, e);
    }
  }

  static SafetensorsHeader parse(Path file, long headerLength, String json) {
    Map<String, String> metadata = Map.of();
    List<TensorInfo> tensors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (JsonParser p = FACTORY.createParser(json)) {
      expect(file, p.nextToken(), JsonToken.START_OBJECT, null, "the header");
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        if (!seen.add(name)) {
          throw new FormatException(
              file, "'" + name + "'", "name appears twice in the header (JSON escapes included)");
        }
        if (name.equals(METADATA)) {
          metadata = readMetadata(file, p);
        } else {
          tensors.add(readEntry(file, name, p));
        }
      }
      if (p.nextToken() != null) {
        throw new FormatException(
            file, null, "invalid header: trailing characters after the JSON object");
      }
    } catch (StreamConstraintsException e) {
      throw new ResourceLimitException(
          file, null, "header JSON exceeds a limit: " + e.getOriginalMessage(), null, null);
    } catch (StreamReadException e) {
      throw new FormatException(
          file,
          null,
          "invalid header JSON at column "
              + e.getLocation().getColumnNr()
              + ": "
              + firstLine(e.getOriginalMessage()),
          null,
          null,
          e);
    } catch (IOException e) {
      throw new FormatException(
          file, null, "invalid header JSON: " + e.getMessage(), null, null, e);
    }
    validateOffsets(file, tensors);
    return new SafetensorsHeader(file, headerLength, metadata, tensors);
  }

  private static Map<String, String> readMetadata(Path file, JsonParser p) throws IOException {
    expect(file, p.nextToken(), JsonToken.START_OBJECT, METADATA, "an object of strings");
    Map<String, String> m = new LinkedHashMap<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      String item = METADATA + "." + key;
      expect(file, v, JsonToken.VALUE_STRING, item, "a string");
      if (m.put(key, p.getText()) != null) {
        throw new FormatException(file, item, "metadata key appears twice");
      }
    }
    return m;
  }

  private static TensorInfo readEntry(Path file, String name, JsonParser p) throws IOException {
    String item = "tensor '" + name + "'";
    expect(
        file,
        p.nextToken(),
        JsonToken.START_OBJECT,
        item,
        "an object with dtype, shape, data_offsets");
    DType dtype = null;
    long[] shape = null;
    long[] offsets = null;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "dtype" -> {
          checkFirst(file, item, field, dtype);
          expect(file, v, JsonToken.VALUE_STRING, item + " dtype", "a string");
          String s = p.getText();
          dtype =
              DType.fromSafetensorsName(s)
                  .orElseThrow(
                      () ->
                          new FormatException(
                              file,
                              item,
                              "unknown dtype",
                              "one of the safetensors dtypes (F32, BF16, ...)",
                              "\"" + s + "\""));
        }
        case "shape" -> {
          checkFirst(file, item, field, shape);
          shape = readUints(file, p, v, item + " shape", -1);
        }
        case "data_offsets" -> {
          checkFirst(file, item, field, offsets);
          offsets = readUints(file, p, v, item + " data_offsets", 2);
        }
        default -> p.skipChildren(); // unknown fields are allowed, as the reference allows them
      }
    }
    if (dtype == null || shape == null || offsets == null) {
      String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
      throw new FormatException(file, item, "missing field '" + missing + "'");
    }
    long numel = Shape.numelOf(shape);
    if (numel < 0) {
      throw new FormatException(
          file, item, "shape overflows: element count past 2^63", null, Arrays.toString(shape));
    }
    // Carry the raw offsets; they are checked against the shape in validateOffsets.
    return new TensorInfo(name, dtype, Shape.of(shape), offsets[0], offsets[1]);
  }

  private static void checkFirst(Path file, String item, String field, Object previous) {
    if (previous != null) {
      throw new FormatException(file, item, "field '" + field + "' appears twice");
    }
  }

  private static long[] readUints(
      Path file, JsonParser p, JsonToken start, String item, int exactCount) throws IOException {
    String wanted =
        exactCount < 0
            ? "an array of non-negative integers"
            : "an array of " + exactCount + " non-negative integers";
    expect(file, start, JsonToken.START_ARRAY, item, wanted);
    List<Long> values = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        throw new FormatException(file, item, "not an integer", wanted, describe(p, t));
      }
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        BigInteger b = p.getBigIntegerValue();
        String problem =
            b.signum() < 0
                ? "negative"
                : b.bitLength() > 64 ? "number past 2^64" : "number past 2^63 (overflow)";
        throw new FormatException(file, item, problem, wanted, b);
      }
      long value = p.getLongValue();
      if (value < 0) {
        throw new FormatException(file, item, "negative", wanted, value);
      }
      if (values.size() == MAX_RANK) {
        throw new ResourceLimitException(file, item, "too many entries", MAX_RANK, "more");
      }
      values.add(value);
    }
    if (exactCount >= 0 && values.size() != exactCount) {
      throw new FormatException(file, item, "wrong number of entries", exactCount, values.size());
    }
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static String describe(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> "\"" + p.getText() + "\"";
      case VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
      default -> t.asString() != null ? t.asString() : t.name();
    };
  }

  private static void expect(
      Path file, JsonToken actual, JsonToken wanted, String item, String what) throws IOException {
    if (actual != wanted) {
      throw new FormatException(
          file,
          item,
          "invalid header: wrong JSON type",
          what,
          actual == null ? "end of input" : actual.name());
    }
  }

  /**
   * Steps 6-9 of the reference: contiguous from 0, checked sizes, whole bytes for sub-byte types.
   */
  private static void validateOffsets(Path file, List<TensorInfo> tensors) {
    tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long start = 0;
    for (TensorInfo t : tensors) {
      String item = "tensor '" + t.name() + "'";
      if (t.begin() != start) {
        throw new FormatException(
            file,
            item,
            t.begin() > start
                ? "invalid offset: a hole before this tensor"
                : "invalid offset: overlaps the previous tensor",
            "begin " + start,
            "begin " + t.begin());
      }
      if (t.end() < t.begin()) {
        throw new FormatException(
            file, item, "invalid offset: end before begin", ">= " + t.begin(), t.end());
      }
      long bits;
      try {
        bits = t.dtype().bitSize(t.shape().numel());
      } catch (ArithmeticException e) {
        throw new FormatException(
            file,
            item,
            "size overflows: shape x dtype bits past 2^63",
            null,
            t.shape() + " of " + t.dtype());
      }
      if (bits % 8 != 0) {
        throw new FormatException(
            file,
            item,
            "misaligned sub-byte tensor: bit count not a multiple of 8",
            "a multiple of 8 bits",
            bits + " bits");
      }
      if (t.byteSize() != bits / 8) {
        throw new FormatException(
            file,
            item,
            "data_offsets do not match shape x dtype (" + t.dtype() + t.shape() + ")",
            (bits / 8) + " bytes",
            t.byteSize() + " bytes");
      }
      start = t.end();
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
