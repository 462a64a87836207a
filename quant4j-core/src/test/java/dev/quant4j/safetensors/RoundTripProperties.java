package dev.quant4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quant4j.dtype.DType;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** write -> read -> write is byte-identical, for random tensors of every dtype. */
class RoundTripProperties {
  private static List<TensorData> randomTensors(List<DType> dtypes, long seed) {
    Random rnd = new Random(seed);
    List<TensorData> out = new ArrayList<>();
    for (int i = 0; i < dtypes.size(); i++) {
      DType d = dtypes.get(i);
      int rank = rnd.nextInt(4);
      long[] dims = new long[rank];
      for (int k = 0; k < rank; k++) {
        dims[k] = rnd.nextInt(6);
      }
      // sub-byte types need whole bytes: make the last dimension a multiple of 8 / gcd
      if (d.isSubByte() && rank > 0) {
        dims[rank - 1] = dims[rank - 1] * 4;
      } else if (d.isSubByte()) {
        dims = new long[] {4 * rnd.nextInt(3)};
      }
      Shape shape = Shape.of(dims);
      byte[] bytes = new byte[(int) d.byteSize(shape.numel())];
      rnd.nextBytes(bytes);
      out.add(
          TensorData.of(
              "t" + i + "." + d.safetensorsName().toLowerCase(java.util.Locale.ROOT),
              d,
              shape,
              bytes));
    }
    return out;
  }

  @Property(tries = 60)
  void writeReadWriteIsByteIdentical(
      @ForAll @Size(min = 0, max = 12) List<DType> dtypes,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 3) int metadataEntries)
      throws IOException {
    Path dir = Files.createTempDirectory("quant4j-roundtrip");
    try {
      List<TensorData> tensors = randomTensors(dtypes, seed);
      Map<String, String> metadata = new LinkedHashMap<>();
      for (int i = 0; i < metadataEntries; i++) {
        metadata.put("k\u00e9" + i, "v\"" + seed + i);
      }
      Path first = dir.resolve("a.safetensors");
      SafetensorsWriter.write(first, metadata, tensors);
      Path second = dir.resolve("b.safetensors");
      try (SafetensorsFile f = SafetensorsFile.open(first)) {
        assertEquals(metadata, f.metadata());
        assertEquals(tensors.size(), f.tensors().size());
        List<TensorData> back = new ArrayList<>();
        for (TensorData t : tensors) {
          TensorView v = f.tensor(t.name());
          assertEquals(t.dtype(), v.dtype());
          assertEquals(t.shape(), v.shape());
          assertEquals(-1, v.data().mismatch(t.data()));
          back.add(TensorData.of(v));
        }
        SafetensorsWriter.write(second, f.metadata(), back);
      }
      assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    } finally {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }
}
