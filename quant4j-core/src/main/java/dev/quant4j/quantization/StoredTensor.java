package dev.quant4j.quantization;

import dev.quant4j.dtype.DType;
import dev.quant4j.tensor.Shape;
import java.lang.foreign.MemorySegment;

/**
 * A tensor as a method stores it in a checkpoint: its name relative to the module, dtype, shape and
 * little-endian bytes.
 *
 * @param suffix the name after the module prefix, e.g. {@code weight.absmax}
 */
public record StoredTensor(String suffix, DType dtype, Shape shape, MemorySegment data) {}
