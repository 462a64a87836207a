package dev.quant4j.safetensors;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.ResourceLimitException;
import dev.quant4j.json.BoundedJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a header: entries sorted by name, data laid out in that order, the JSON padded with spaces
 * to a multiple of 8 so the data buffer starts aligned. Refuses what the reader would refuse.
 */
final class HeaderWriter {
  private HeaderWriter() {}

  /** The header bytes (8-byte length prefix included) and the tensors in data order. */
  record Layout(byte[] header, List<TensorData> ordered, long dataLength) {}

  static Layout layout(Path target, Map<String, String> metadata, List<TensorData> tensors) {
    Set<String> names = new HashSet<>();
    for (TensorData t : tensors) {
      if (t.name().equals("__metadata__")) {
        throw new FormatException(
            target, "tensor '__metadata__'", "reserved name, cannot be a tensor");
      }
      if (!names.add(t.name())) {
        throw new FormatException(target, "tensor '" + t.name() + "'", "name given twice");
      }
    }
    metadata.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            throw new FormatException(
                target, "__metadata__", "keys and values must be strings", "string", "null");
          }
        });
    List<TensorData> ordered = new ArrayList<>(tensors);
    ordered.sort(Comparator.comparing(TensorData::name));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long offset = 0;
    try (JsonGenerator g = BoundedJson.CONFIG.mapper().getFactory().createGenerator(out)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart("__metadata__");
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      for (TensorData t : ordered) {
        g.writeObjectFieldStart(t.name());
        g.writeStringField("dtype", t.dtype().safetensorsName());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape().dims()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        offset = Math.addExact(offset, t.byteSize());
        g.writeNumber(offset);
        g.writeEndArray();
        g.writeEndObject();
        if (out.size() > SafetensorsHeader.MAX_HEADER_LENGTH) {
          break; // reported below, without building the rest
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory stream: cannot happen
    }
    int json = out.size();
    int padded = (json + 7) & ~7;
    if (padded > SafetensorsHeader.MAX_HEADER_LENGTH) {
      throw new ResourceLimitException(
          target,
          null,
          "header too large to write",
          SafetensorsHeader.MAX_HEADER_LENGTH + " bytes at most",
          padded + " bytes or more");
    }
    byte[] header = new byte[8 + padded];
    long n = padded;
    for (int i = 0; i < 8; i++) {
      header[i] = (byte) (n >>> (8 * i));
    }
    byte[] body = out.toByteArray();
    System.arraycopy(body, 0, header, 8, json);
    java.util.Arrays.fill(header, 8 + json, header.length, (byte) ' ');
    return new Layout(header, List.copyOf(ordered), offset);
  }
}
