package dev.quant4j.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quant4j.error.CheckpointIoException;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.ResourceLimitException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads JSON documents with limits, so that a hostile file can neither exhaust memory nor the
 * stack. Immutable and thread-safe; one instance per set of limits.
 */
public final class BoundedJson {
  /** Nesting depth allowed, as the safetensors reference implementation allows. */
  public static final int MAX_DEPTH = 128;

  /** Limits fit for configuration files (config.json and friends). */
  public static final BoundedJson CONFIG = new BoundedJson(16L << 20);

  /**
   * Limits fit for tokenizer.json files, which hold vocabularies of a few hundred thousand entries.
   */
  public static final BoundedJson TOKENIZER = new BoundedJson(256L << 20);

  private final long maxBytes;
  private final ObjectMapper mapper;

  public BoundedJson(long maxBytes) {
    this.maxBytes = maxBytes;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(400)
                    .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBytes))
                    .maxDocumentLength(maxBytes)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            // Keep decimals as written (10000.0 stays 10000.0, not 1E+4) so configs round-trip.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
  }

  /** The shared mapper, configured with these limits; for callers that stream tokens themselves. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Reads a whole file as a JSON tree, failing with the file and line on any problem. */
  public JsonNode read(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointIoException(file, "file not found", null);
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot read", e);
    }
    if (size > maxBytes) {
      throw new ResourceLimitException(
          file, null, "JSON file too large", maxBytes + " bytes at most", size + " bytes");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return parse(file, in);
    } catch (IOException e) {
      throw new CheckpointIoException(file, "cannot read", e);
    }
  }

  /**
   * Parses bytes (for example a safetensors header) as a JSON tree; {@code file} names them in
   * errors.
   */
  public JsonNode parse(Path file, byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new ResourceLimitException(
          file,
          null,
          "JSON document too large",
          maxBytes + " bytes at most",
          bytes.length + " bytes");
    }
    try (JsonParser parser = mapper.createParser(bytes)) {
      return readTree(file, parser);
    } catch (IOException e) {
      throw invalid(file, e);
    }
  }

  /** Parses a string as a JSON tree; {@code file} names it in errors (may be null). */
  public JsonNode parse(Path file, String text) {
    try (JsonParser parser = mapper.createParser(text)) {
      return readTree(file, parser);
    } catch (IOException e) {
      throw invalid(file, e);
    }
  }

  private JsonNode parse(Path file, InputStream in) throws IOException {
    try (JsonParser parser = mapper.createParser(in)) {
      return readTree(file, parser);
    } catch (JsonProcessingException e) {
      throw invalid(file, e);
    }
  }

  private JsonNode readTree(Path file, JsonParser parser) throws IOException {
    try {
      JsonNode node = mapper.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw new ConfigException(file, null, "empty document, expected JSON");
      }
      return node;
    } catch (StackOverflowError e) {
      throw new ResourceLimitException(file, null, "JSON nested too deeply", MAX_DEPTH, "more");
    }
  }

  private static ConfigException invalid(Path file, IOException e) {
    String where = "";
    if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
      JsonLocation loc = jpe.getLocation();
      where = " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
    String reason =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    return new ConfigException(file, null, "invalid JSON" + where + ": " + firstLine(reason), e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
