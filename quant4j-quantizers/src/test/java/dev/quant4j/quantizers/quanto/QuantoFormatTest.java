package dev.quant4j.quantizers.quanto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quant4j.dtype.DType;
import dev.quant4j.error.ConfigException;
import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import dev.quant4j.kernels.GroupedIntMatrix;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.quantization.TensorLookup;
import dev.quant4j.tensor.TensorView;
import dev.quant4j.testing.TestFiles;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quanto's tensor layout, quanto_qmap.json, the config and the checks on bad files. */
class QuantoFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Property(tries = 50)
  void packUnpackRoundTrips(
      @ForAll @IntRange(min = 1, max = 13) int rows,
      @ForAll @IntRange(min = 1, max = 9) int cols,
      @ForAll boolean twoBits,
      @ForAll long seed) {
    int bits = twoBits ? 2 : 4;
    byte[] codes = new byte[rows * cols];
    Random rnd = new Random(seed);
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) rnd.nextInt(1 << bits);
    }
    byte[] packed = QuantoFormat.pack(codes, bits, rows, cols);
    assertEquals(Math.ceilDiv(rows, 8 / bits) * cols, packed.length);
    assertArrayEquals(codes, QuantoFormat.unpack(MemorySegment.ofArray(packed), bits, rows, cols));
  }

  @Test
  void packPutsTheFirstRowsInTheLowBits() {
    // 5 rows of int2 codes: rd = 2, so rows 0,1 -> bits 0-1, rows 2,3 -> bits 2-3, row 4 -> 4-5
    byte[] codes = {1, 2, 3, 1, 2};
    byte[] packed = QuantoFormat.pack(codes, 2, 5, 1);
    assertArrayEquals(new byte[] {(byte) (1 | 3 << 2 | 2 << 4), (byte) (2 | 1 << 2)}, packed);
  }

  @Test
  void groupSizeFollowsQuanto() {
    assertEquals(0, QuantoQtype.groupSize(128));
    assertEquals(0, QuantoQtype.groupSize(64));
    assertEquals(128, QuantoQtype.groupSize(256));
    assertEquals(96, QuantoQtype.groupSize(288));
    assertEquals(64, QuantoQtype.groupSize(320));
    assertEquals(32, QuantoQtype.groupSize(160));
    assertEquals(0, QuantoQtype.groupSize(130));
  }

  @Test
  void configRoundTripsAndNamesWhatItRefuses() throws Exception {
    for (String w : QuantoConfig.WEIGHTS) {
      QuantoConfig c =
          new QuantoConfig(w, null, List.of("lm_head", "model.layers.0.mlp"), Map.of());
      assertEquals(c, QuantoConfig.fromDict(null, c.toDict()));
      assertEquals(c.toDict(), QuantoConfig.fromDict(null, c.toDict()).toDict());
    }
    ObjectNode d =
        (ObjectNode) JSON.readTree("{\"quant_method\": \"quanto\", \"weights\": \"int5\"}");
    assertThrows(ConfigException.class, () -> QuantoConfig.fromDict(null, d));
    for (String a : QuantoConfig.ACTIVATIONS) {
      QuantoConfig act = new QuantoConfig("int4", a, List.of("lm_head"), Map.of());
      assertEquals(act, QuantoConfig.fromDict(null, act.toDict()));
      assertEquals(a, act.toDict().get("activations").textValue());
      assertEquals(a, act.toDiffDict().get("activations").textValue());
      assertTrue(new QuantoMethod().newQuantizer(act) instanceof QuantoQuantizer);
    }
    ObjectNode a4 =
        (ObjectNode) JSON.readTree("{\"quant_method\": \"quanto\", \"activations\": \"int4\"}");
    assertThrows(ConfigException.class, () -> QuantoConfig.fromDict(null, a4));
    assertTrue(new QuantoMethod().support().quantizeOnLoad());
  }

  @Test
  void detectsAQuantoFolderByItsQmap(@TempDir Path tmp) throws Exception {
    assertEquals(Optional.empty(), QuantizationMethods.load().detectPrequantized(tmp));
    Files.writeString(
        tmp.resolve(QuantoQmap.FILE_NAME),
        "{\"a.q\": {\"weights\": \"qint4\", \"activations\": \"none\"},"
            + " \"a.k\": {\"weights\": \"qint4\", \"activations\": \"none\"},"
            + " \"a.v\": {\"weights\": \"qfloat8_e4m3fn\", \"activations\": \"none\"}}");
    QuantoConfig c =
        (QuantoConfig) QuantizationMethods.load().detectPrequantized(tmp).orElseThrow();
    assertEquals("int4", c.weights());
    assertEquals(Set.of("a.q", "a.k", "a.v"), c.qmap().keySet());
    var q = (QuantoQuantizer) new QuantoMethod().newQuantizer(c);
    assertEquals(
        Set.of("a.q.weight", "a.v.weight"),
        q.weightsToConvert(List.of("a.q.weight", "a.o.weight", "a.v.weight"), "lm_head.weight"));
    assertTrue(!c.savedInConfigJson());

    Files.writeString(
        tmp.resolve(QuantoQmap.FILE_NAME),
        "{\"a.q\": {\"weights\": \"qint8\", \"activations\": \"qint8\"}}");
    QuantoConfig act =
        (QuantoConfig) QuantizationMethods.load().detectPrequantized(tmp).orElseThrow();
    assertEquals("int8", act.activations());
    new QuantoMethod().newQuantizer(act); // runs now
    for (String refused : List.of("qfloat8_e5m2", "qfloat8_e4m3fnuz")) {
      Files.writeString(
          tmp.resolve(QuantoQmap.FILE_NAME),
          "{\"a.q\": {\"weights\": \"qint8\", \"activations\": \"" + refused + "\"}}");
      QuantoConfig c2 =
          (QuantoConfig) QuantizationMethods.load().detectPrequantized(tmp).orElseThrow();
      assertThrows(NotSupportedException.class, () -> new QuantoMethod().newQuantizer(c2));
    }
    Files.writeString(
        tmp.resolve(QuantoQmap.FILE_NAME),
        "{\"a.q\": {\"weights\": \"none\", \"activations\": \"qint8\"}}");
    QuantoConfig floatWeights =
        (QuantoConfig) QuantizationMethods.load().detectPrequantized(tmp).orElseThrow();
    assertThrows(NotSupportedException.class, () -> new QuantoMethod().newQuantizer(floatWeights));
    Files.writeString(
        tmp.resolve(QuantoQmap.FILE_NAME),
        "{\"a.q\": {\"weights\": \"qint8\", \"activations\": \"qint4\"}}");
    QuantoConfig a4 =
        (QuantoConfig) QuantizationMethods.load().detectPrequantized(tmp).orElseThrow();
    assertThrows(ConfigException.class, () -> new QuantoMethod().newQuantizer(a4));
    Files.writeString(tmp.resolve(QuantoQmap.FILE_NAME), "{\"a.q\": {\"weights\": \"qint3\"}}");
    QuantoConfig bad =
        (QuantoConfig) QuantizationMethods.load().detectPrequantized(tmp).orElseThrow();
    assertThrows(ConfigException.class, () -> new QuantoMethod().newQuantizer(bad));
    Files.writeString(tmp.resolve(QuantoQmap.FILE_NAME), "[1]");
    assertThrows(ConfigException.class, () -> QuantizationMethods.load().detectPrequantized(tmp));
  }

  @Test
  void qmapIsWrittenAsQuantoDoes() throws Exception {
    Map<String, QuantizedWeight> weights = new HashMap<>();
    float[] w = QuantoErrorBoundPropertiesTest.randomBf16(2 * 128, 1f, 3);
    weights.put(
        "model.layers.10.mlp.up_proj.weight",
        QuantoWeightQuantizer.quantize(QuantoQtype.QINT4, WeightDtype.BF16, w, 2, 128));
    weights.put(
        "model.layers.2.mlp.up_proj.weight",
        QuantoWeightQuantizer.quantize(
            QuantoQtype.QINT8, QuantoQtype.QFLOAT8, WeightDtype.BF16, w, 2, 128));
    String text = new String(QuantoQmap.write(weights), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(
        """
        {
            "model.layers.2.mlp.up_proj": {
                "weights": "qint8",
                "activations": "qfloat8_e4m3fn"
            },
            "model.layers.10.mlp.up_proj": {
                "weights": "qint4",
                "activations": "none"
            }
        }""",
        text);
    // the golden file, written by Python's json.dump(indent=4), reads to the same structure
    Path golden = TestFiles.testdata("golden/quanto-qint4/" + QuantoQmap.FILE_NAME);
    var map = QuantoQmap.read(golden);
    assertEquals(7, map.size());
    assertTrue(
        Files.readString(golden).startsWith("{\n    \"model.layers.0.self_attn.q_proj\": {\n"));
  }

  @Test
  void reloadedGroupedWeightsLearnTheirShape() {
    float[] w = QuantoErrorBoundPropertiesTest.randomBf16(3 * 256, 1f, 5);
    QuantoLinear q = QuantoWeightQuantizer.quantize(QuantoQtype.QINT4, WeightDtype.BF16, w, 3, 256);
    Lookup files = Lookup.of(q, "m");
    QuantoLinear reread = QuantoFormat.read("m", QuantoQtype.QINT4, files);
    assertEquals(6, reread.rows(), "grouped [groups, 128] until the model says otherwise");
    QuantizedWeight shaped = reread.withShape(3, 256);
    assertNotSame(reread, shaped);
    assertEquals(3, shaped.matrix().rows());
    assertEquals(128, ((GroupedIntMatrix) shaped.matrix()).groupSize());
    assertArrayEquals(q.dequantize(), shaped.dequantize());
    assertSame(
        reread, reread.withShape(4, 192), "groups of 96 there: left for the caller to report");
  }

  /** Calibrated scales are read, kept byte for byte, and become the layout's quantizer. */
  @Test
  void activationScalesRoundTripAndMustBePositive() {
    float[] w = QuantoErrorBoundPropertiesTest.randomBf16(4 * 64, 1f, 9);
    for (QuantoQtype wq : QuantoQtype.values()) {
      QuantoLinear q =
          QuantoWeightQuantizer.quantize(wq, QuantoQtype.QINT8, WeightDtype.BF16, w, 4, 64);
      byte[] in = WeightDtype.BF16.encode(new float[] {0.0123f});
      byte[] out = WeightDtype.F32.encode(new float[] {0.5f});
      Lookup files =
          Lookup.of(q, "m")
              .replaced("m.input_scale", DType.BF16, in)
              .replaced("m.output_scale", DType.F32, out);
      QuantoLinear reread = QuantoFormat.read("m", wq, QuantoQtype.QINT8, files);
      assertEquals(QuantoQtype.QINT8, reread.activations());
      var quantizer = (QuantoActivationQuantizer) reread.matrix().activations();
      assertEquals(WeightDtype.BF16.round(0.0123f), quantizer.input().value());
      assertEquals(new QuantoActivationQuantizer.Scale(0.5f, WeightDtype.F32), quantizer.output());
      assertArrayEquals(q.dequantize(), reread.dequantize(), wq + ": the weight is unchanged");
      Map<String, byte[]> written = new HashMap<>();
      for (StoredTensor t : reread.checkpointTensors()) {
        written.put(t.suffix(), t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
      }
      assertArrayEquals(in, written.get("input_scale"));
      assertArrayEquals(out, written.get("output_scale"));
      assertSame(
          dev.quant4j.kernels.ActivationQuantizer.NONE,
          QuantoFormat.read("m", wq, files).matrix().activations(),
          "activations none: the scales are ignored");
      for (float bad : new float[] {0f, -1f, Float.NaN}) {
        Lookup b =
            files.replaced("m.output_scale", DType.F32, WeightDtype.F32.encode(new float[] {bad}));
        FormatException e =
            assertThrows(
                FormatException.class, () -> QuantoFormat.read("m", wq, QuantoQtype.QINT8, b));
        assertTrue(e.getMessage().contains("m.output_scale"), e.getMessage());
      }
    }
  }

  @Test
  void badFilesAreRefusedNamingTheTensor() {
    float[] w = QuantoErrorBoundPropertiesTest.randomBf16(4 * 64, 1f, 7);
    QuantoLinear fp8 =
        QuantoWeightQuantizer.quantize(QuantoQtype.QFLOAT8, WeightDtype.BF16, w, 4, 64);
    Lookup ok = Lookup.of(fp8, "m");
    assertArrayEquals(
        fp8.dequantize(), QuantoFormat.read("m", QuantoQtype.QFLOAT8, ok).dequantize());

    Lookup nan = ok.replaced("m.weight._data", DType.F8_E4M3, fillNaN(fp8.codes()), 4, 64);
    FormatException e1 =
        assertThrows(FormatException.class, () -> QuantoFormat.read("m", QuantoQtype.QFLOAT8, nan));
    assertTrue(e1.getMessage().contains("m.weight._data[0, 0]"), e1.getMessage());

    assertThrows(
        FormatException.class,
        () -> QuantoFormat.read("m", QuantoQtype.QINT8, ok),
        "float8 data read as qint8");
    Lookup extra = ok.replaced("m.weight._extra", DType.F32, new byte[4]);
    assertThrows(FormatException.class, () -> QuantoFormat.read("m", QuantoQtype.QFLOAT8, extra));
    Lookup badScale = ok.replaced("m.weight._scale", DType.BF16, new byte[6], 3, 1);
    assertThrows(
        FormatException.class, () -> QuantoFormat.read("m", QuantoQtype.QFLOAT8, badScale));

    QuantoLinear int2 =
        QuantoWeightQuantizer.quantize(QuantoQtype.QINT2, WeightDtype.BF16, w, 4, 64);
    Lookup packed = Lookup.of(int2, "m");
    Lookup noShift = packed.without("m.weight._shift");
    assertThrows(FormatException.class, () -> QuantoFormat.read("m", QuantoQtype.QINT2, noShift));
    Lookup wrongRows = packed.replaced("m.weight._data._data", DType.U8, new byte[2 * 64], 2, 64);
    assertThrows(FormatException.class, () -> QuantoFormat.read("m", QuantoQtype.QINT2, wrongRows));
    byte[] inf = new byte[8];
    for (int i = 0; i < 4; i++) {
      inf[2 * i] = (byte) 0x80;
      inf[2 * i + 1] = 0x7f;
    }
    Lookup infScale = packed.replaced("m.weight._scale", DType.BF16, inf, 4, 1);
    assertThrows(FormatException.class, () -> QuantoFormat.read("m", QuantoQtype.QINT2, infScale));
  }

  private static byte[] fillNaN(byte[] codes) {
    codes[0] = 0x7f;
    return codes;
  }

  /** Module tensors in memory. */
  record Lookup(Map<String, TensorView> tensors) implements TensorLookup {
    static Lookup of(QuantoLinear q, String module) {
      Map<String, TensorView> m = new HashMap<>();
      for (StoredTensor t : q.checkpointTensors()) {
        String name = module + "." + t.suffix();
        m.put(name, new TensorView(name, t.dtype(), t.shape(), t.data(), Path.of("mem")));
      }
      return new Lookup(m);
    }

    Lookup replaced(String name, DType dtype, byte[] bytes, long... dims) {
      Map<String, TensorView> m = new HashMap<>(tensors);
      m.put(
          name,
          new TensorView(
              name,
              dtype,
              dev.quant4j.tensor.Shape.of(dims),
              MemorySegment.ofArray(bytes),
              Path.of("mem")));
      return new Lookup(m);
    }

    Lookup without(String name) {
      Map<String, TensorView> m = new HashMap<>(tensors);
      m.remove(name);
      return new Lookup(m);
    }

    @Override
    public Optional<TensorView> find(String name) {
      return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public TensorView require(String name) {
      return find(name).orElseThrow(() -> new FormatException(source(), name, "missing tensor"));
    }

    @Override
    public Set<String> namesStartingWith(String prefix) {
      Set<String> out = new TreeSet<>();
      for (String n : tensors.keySet()) {
        if (n.startsWith(prefix)) {
          out.add(n);
        }
      }
      return out;
    }

    @Override
    public Path source() {
      return Path.of("mem");
    }
  }
}
