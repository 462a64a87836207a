package dev.quant4j.quantizers.bnb;

import dev.quant4j.quantization.StoredTensor;
import dev.quant4j.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns the formats' full-name tensor maps into module-relative {@link StoredTensor}s. */
final class StoredTensors {
  private StoredTensors() {}

  static List<StoredTensor> relativeTo(String prefix, Map<String, RawTensor> tensors) {
    List<StoredTensor> out = new ArrayList<>();
    for (var e : tensors.entrySet()) {
      String suffix = e.getKey().substring(prefix.length() + 1);
      RawTensor t = e.getValue();
      out.add(new StoredTensor(suffix, t.dtype(), Shape.of(t.shape()), t.data()));
    }
    return out;
  }
}
