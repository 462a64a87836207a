package dev.quant4j.quantizers.bnb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.error.FormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BnbFormatTest {
  private static final Path FILE = Path.of("model.safetensors");
  private static final String P = "model.layers.0.mlp.up_proj";

  private static Map<String, RawTensor> nf4Tensors(boolean doubleQuant) {
    float[] w = new float[96 * 8];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(i * 0.61) * 0.05f;
    }
    Bnb4bitWeight q =
        Bnb4bitQuantizer.quantize(
            "w", w, 8, 96, BnbFloatType.BFLOAT16, Bnb4bitSettings.of(Bnb4bitType.NF4, doubleQuant));
    return new LinkedHashMap<>(Bnb4bitFormat.write(P, q));
  }

  private static FormatException rejects(
      boolean doubleQuant, Consumer<Map<String, RawTensor>> edit, String mentions) {
    Map<String, RawTensor> t = nf4Tensors(doubleQuant);
    edit.accept(t);
    FormatException e = assertThrows(FormatException.class, () -> Bnb4bitFormat.read(FILE, P, t));
    assertTrue(e.getMessage().contains(mentions), e.getMessage());
    return e;
  }

  @Test
  void roundTripsBothForms() {
    for (boolean dq : new boolean[] {false, true}) {
      Map<String, RawTensor> t = nf4Tensors(dq);
      Bnb4bitWeight w = Bnb4bitFormat.read(FILE, P, t);
      assertEquals(8, w.rows());
      assertEquals(96, w.cols());
      assertEquals(dq, w.nested().isPresent());
      Map<String, RawTensor> back = Bnb4bitFormat.write(P, w);
      assertEquals(t.keySet(), back.keySet());
      t.forEach((k, v) -> assertTrue(v.contentEquals(back.get(k)), k));
    }
  }

  @Test
  void readsNonUint8StorageAsTheSameBytes() {
    Map<String, RawTensor> t = nf4Tensors(false);
    RawTensor u8 = t.get(P + ".weight");
    t.put(P + ".weight", new RawTensor(DType.BF16, new long[] {u8.shape()[0] / 2, 1}, u8.data()));
    Bnb4bitWeight w = Bnb4bitFormat.read(FILE, P, t);
    assertEquals(QuantStorage.BFLOAT16, w.storage());
    assertTrue(t.get(P + ".weight").contentEquals(Bnb4bitFormat.write(P, w).get(P + ".weight")));
  }

  @Test
  void rejectsMissingUnexpectedAndMismatchedPieces() {
    rejects(true, t -> t.remove(P + ".weight.absmax"), P + ".weight.absmax");
    rejects(true, t -> t.remove(P + ".weight.nested_quant_map"), "nested");
    rejects(false, t -> t.remove(P + ".weight.quant_state.bitsandbytes__nf4"), "quant_state");
    rejects(
        false, t -> t.put(P + ".weight.extra", t.get(P + ".weight.absmax")), P + ".weight.extra");
    rejects(
        false,
        t ->
            t.put(
                P + ".weight.quant_state.bitsandbytes__fp4",
                t.get(P + ".weight.quant_state.bitsandbytes__nf4")),
        "two quant_state");
    rejects(
        false,
        t ->
            t.put(
                P + ".weight.quant_map",
                RawTensor.ofFloats(new long[] {16}, BnbCodebooks.FP4.toArray())),
        "nf4 table");
    rejects(
        false,
        t -> t.put(P + ".weight.absmax", RawTensor.ofFloats(new long[] {11}, new float[11])),
        "wrong shape");
    rejects(
        true,
        t -> t.put(P + ".weight.absmax", RawTensor.ofFloats(new long[] {12}, new float[12])),
        "wrong dtype");
    rejects(
        false,
        t ->
            t.put(
                P + ".weight.absmax",
                RawTensor.ofFloats(
                    new long[] {12}, new float[] {1, 1, 1, Float.NaN, 1, 1, 1, 1, 1, 1, 1, 1})),
        "absmax[3]");
  }

  @Test
  void rejectsBadQuantStateJson() {
    String key = P + ".weight.quant_state.bitsandbytes__nf4";
    String[][] cases = {
      {
        "{\"quant_type\": \"fp4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [8, 96]}",
        "quant_type"
      },
      {
        "{\"quant_type\": \"nf4\", \"blocksize\": 48, \"dtype\": \"bfloat16\", \"shape\": [8, 96]}",
        "blocksize"
      },
      {
        "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"int8\", \"shape\": [8, 96]}",
        "dtype"
      },
      {
        "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [8]}",
        "shape"
      },
      {
        "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [8, 96], \"x\": 1}",
        "[x]"
      },
      {"{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\"}", "[shape]"},
      {
        "{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"bfloat16\", \"shape\": [8, 95]}",
        "wrong shape"
      },
      {"not json", "not valid JSON"},
    };
    for (String[] c : cases) {
      byte[] b = c[0].getBytes(StandardCharsets.UTF_8);
      rejects(false, t -> t.put(key, RawTensor.of(DType.U8, new long[] {b.length}, b)), c[1]);
    }
  }

  @Test
  void int8RoundTripsAndRejectsColumnLayouts() {
    float[] w = new float[6 * 10];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.cos(i) * (i % 6);
    }
    BnbInt8Weight q = BnbInt8Quantizer.quantize("w", w, 6, 10);
    Map<String, RawTensor> t = new LinkedHashMap<>(BnbInt8Format.write(P, q));
    BnbInt8Weight back = BnbInt8Format.read(FILE, P, t);
    assertArrayEquals(q.scb(), back.scb());
    assertArrayEquals(q.dequantize(), back.dequantize());
    t.put(P + ".weight_format", RawTensor.of(DType.U8, new long[0], new byte[] {2}));
    assertThrows(FormatException.class, () -> BnbInt8Format.read(FILE, P, t));
    t.remove(P + ".weight_format");
    t.put(P + ".SCB", RawTensor.ofFloats(new long[] {5}, new float[5]));
    FormatException e = assertThrows(FormatException.class, () -> BnbInt8Format.read(FILE, P, t));
    assertTrue(e.getMessage().contains(P + ".SCB"), e.getMessage());
  }

  @Test
  void int8UsesReciprocalTimes127AndHalfEvenRounding() {
    // Row absmax 3: scale = f32(f32(1/3) * 127). 1.5 * 127/3 = 63.5 exactly in reals; the float
    // scale is a hair above 127/3, so the product rounds up; a zero row stays zero.
    float[] w = {3f, 1.5f, -1.5f, 0f, 0f, 0f};
    BnbInt8Weight q = BnbInt8Quantizer.quantize("w", w, 2, 3);
    float scale = (1f / 3f) * 127f;
    assertEquals((byte) Math.rint(1.5f * scale), q.code(0, 1));
    assertEquals(127, q.code(0, 0));
    assertEquals(-q.code(0, 1), q.code(0, 2));
    assertEquals(0, q.code(1, 0));
    assertEquals(0f, q.scb(1));
  }
}
