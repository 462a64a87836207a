package dev.quant4j.quantizers.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quant4j.dtype.DType;
import dev.quant4j.dtype.FloatConversions;
import dev.quant4j.quantization.QuantizationConfig;
import dev.quant4j.quantization.QuantizationMethods;
import dev.quant4j.quantization.QuantizedWeight;
import dev.quant4j.quantization.Quantizer;
import dev.quant4j.quantizers.Presets;
import dev.quant4j.tensor.Shape;
import dev.quant4j.tensor.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantize-on-load keeps peak memory near the quantized size only if a quantized weight holds
 * little more than its kernel layout: no float copy of the weight, and no second copy of the codes
 * in the checkpoint's order (derived when saving instead). This walks what a weight (and the matrix
 * the model keeps) references on the heap and bounds it by the weight's own storage figure.
 */
class RetainedMemoryTest {
  private static final Presets PRESETS = Presets.load();
  private static final QuantizationMethods METHODS = QuantizationMethods.load();
  private static final int ROWS = 256;
  private static final int COLS = 512;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "eetq-int8",
        "quanto-int4",
        "quanto-int8",
        "torchao-int4",
        "torchao-int8-dyn",
        "ct-w4a16",
        "fp8",
        "fbgemm-fp8",
        "hqq-4bit",
        "bitnet",
        "bnb-nf4",
        "ct-nvfp4a16",
        "ct-mxfp4a16",
        "quanto-int8-afp8"
      })
  void aQuantizedWeightHoldsNoSecondCopy(String preset) {
    QuantizationConfig qc = PRESETS.find(preset).orElseThrow();
    Quantizer quantizer = METHODS.find(qc.quantMethod()).orElseThrow().newQuantizer(qc);
    quantizer.settleComputeDtype("bfloat16");
    QuantizedWeight w = quantizer.quantize(weight());
    long retained = retainedBytes(w, w.matrix());
    long bf16 = 2L * ROWS * COLS;
    // scales and zeros may be held in two forms (stored dtype and the kernels' f32): a few percent
    assertTrue(
        retained <= w.storageBytes() * 5 / 4 + 16_384,
        preset
            + ": a weight of "
            + w.storageBytes()
            + " bytes retains "
            + retained
            + " bytes (the bf16 weight is "
            + bf16
            + ")");
  }

  private static TensorView weight() {
    SplittableRandom rnd = new SplittableRandom(7);
    MemorySegment data = MemorySegment.ofArray(new byte[2 * ROWS * COLS]);
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < ROWS * COLS; i++) {
      data.setAtIndex(le, i, FloatConversions.floatToBf16((float) (rnd.nextGaussian() * 0.02)));
    }
    return new TensorView(
        "model.layers.0.mlp.up_proj.weight", DType.BF16, Shape.of(ROWS, COLS), data, null);
  }

  /** Bytes of the primitive arrays reachable from {@code roots}, each array counted once. */
  static long retainedBytes(Object... roots) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Object> todo = new ArrayDeque<>();
    for (Object r : roots) {
      todo.push(r);
    }
    long bytes = 0;
    List<MemorySegment> arrays = new ArrayList<>();
    List<MemorySegment> readOnly = new ArrayList<>();
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (o == null || !seen.add(o)) {
        continue;
      }
      Class<?> c = o.getClass();
      if (c.isArray()) {
        if (c.getComponentType().isPrimitive()) {
          bytes += (long) Array.getLength(o) * primitiveSize(c.getComponentType());
          arrays.add(segmentOf(o));
        } else {
          for (Object e : (Object[]) o) {
            pushIfPresent(todo, e);
          }
        }
      } else if (o instanceof MemorySegment seg) {
        if (seg.heapBase().isPresent()) {
          todo.push(seg.heapBase().get());
        } else if (!seg.isNative() && !seg.isMapped()) {
          readOnly.add(seg); // heapBase() hides a read-only segment's array
        } // a native or mapped segment is not heap
      } else if (o instanceof Map<?, ?> m) {
        m.keySet().forEach(e -> pushIfPresent(todo, e));
        m.values().forEach(e -> pushIfPresent(todo, e));
      } else if (o instanceof Iterable<?> it) {
        it.forEach(e -> pushIfPresent(todo, e));
      } else if (o instanceof java.util.Optional<?> opt) {
        opt.ifPresent(todo::push);
      } else if (c.getName().startsWith("dev.quant4j.") && !(o instanceof Enum<?>)) {
        for (Class<?> k = c;
            k != null && k.getName().startsWith("dev.quant4j.");
            k = k.getSuperclass()) {
          for (Field f : k.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
              continue;
            }
            f.setAccessible(true);
            try {
              Object v = f.get(o);
              if (v != null) {
                todo.push(v);
              }
            } catch (IllegalAccessException e) {
              throw new AssertionError("cannot read " + f, e);
            }
          }
        }
      }
      // other JDK objects (strings, boxes) are small
    }
    // A read-only view counts unless it overlaps an array or a view already counted.
    List<MemorySegment> counted = new ArrayList<>(arrays);
    for (MemorySegment seg : readOnly) {
      if (counted.stream().noneMatch(a -> a.asOverlappingSlice(seg).isPresent())) {
        bytes += seg.byteSize();
        counted.add(seg);
      }
    }
    return bytes;
  }

  private static MemorySegment segmentOf(Object array) {
    return switch (array) {
      case byte[] a -> MemorySegment.ofArray(a);
      case short[] a -> MemorySegment.ofArray(a);
      case char[] a -> MemorySegment.ofArray(a);
      case int[] a -> MemorySegment.ofArray(a);
      case float[] a -> MemorySegment.ofArray(a);
      case long[] a -> MemorySegment.ofArray(a);
      case double[] a -> MemorySegment.ofArray(a);
      default -> MemorySegment.NULL; // boolean[]: no segment, overlaps nothing
    };
  }

  private static void pushIfPresent(Deque<Object> todo, Object o) {
    if (o != null) {
      todo.push(o);
    }
  }

  private static int primitiveSize(Class<?> t) {
    if (t == byte.class || t == boolean.class) {
      return 1;
    }
    if (t == short.class || t == char.class) {
      return 2;
    }
    if (t == int.class || t == float.class) {
      return 4;
    }
    return 8;
  }
}
