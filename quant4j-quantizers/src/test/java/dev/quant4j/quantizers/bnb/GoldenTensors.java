package dev.quant4j.quantizers.bnb;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.json.BoundedJson;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal safetensors reader for the golden tests, so they do not wait on quant4j-core's reader;
 * the golden files are trusted, so it validates nothing.
 */
final class GoldenTensors {
  private GoldenTensors() {}

  static Map<String, RawTensor> read(Path file) throws IOException {
    MemorySegment all;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto());
    }
    long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    byte[] header = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
    JsonNode root = new BoundedJson(1 << 20).parse(file, header);
    Map<String, RawTensor> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode t = e.getValue();
      DType dtype = DType.fromSafetensorsName(t.get("dtype").asText()).orElseThrow();
      long[] shape = new long[t.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.get("shape").get(i).asLong();
      }
      long begin = t.get("data_offsets").get(0).asLong();
      long end = t.get("data_offsets").get(1).asLong();
      out.put(
          e.getKey(), new RawTensor(dtype, shape, all.asSlice(8 + headerLen + begin, end - begin)));
    }
    return out;
  }

  /** A bf16 tensor widened to float32 (exact). */
  static float[] bf16ToFloats(RawTensor t) {
    float[] out = new float[Math.toIntExact(t.numel())];
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.intBitsToFloat((t.data().getAtIndex(le, i) & 0xFFFF) << 16);
    }
    return out;
  }

  /** The tensors whose names start with {@code prefix + "."}. */
  static Map<String, RawTensor> module(Map<String, RawTensor> all, String prefix) {
    Map<String, RawTensor> out = new TreeMap<>();
    all.forEach(
        (k, v) -> {
          if (k.startsWith(prefix + ".")) {
            out.put(k, v);
          }
        });
    return out;
  }
}
