package dev.quant4j.quantizers.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonFloatReprTest {
  // Expected strings are what CPython 3.11 prints for repr(x).
  @ParameterizedTest
  @CsvSource({
    "0.05233192443847656, 0.05233192443847656",
    "1e-05, 1e-05",
    "0.0001, 0.0001",
    "1.5e-07, 1.5e-07",
    "100.0, 100.0",
    "6.0, 6.0",
    "1e16, 1e+16",
    "1.2345e16, 1.2345e+16",
    "9999999999999998.0, 9999999999999998.0",
    "0.1, 0.1",
    "-2.5, -2.5",
    "1e-100, 1e-100",
    "123456.789, 123456.789",
    "0.0, 0.0",
    "-0.0, -0.0"
  })
  void matchesPythonRepr(double value, String expected) {
    assertEquals(expected, PythonFloatRepr.repr(value));
  }

  @ParameterizedTest
  @CsvSource({"0.052013397216796875", "0.05125570297241211", "0.052376747131347656"})
  void float32OffsetsFromGoldenFilesRoundTrip(String text) {
    float f = Float.parseFloat(text);
    assertEquals(text, PythonFloatRepr.repr(f));
  }
}
