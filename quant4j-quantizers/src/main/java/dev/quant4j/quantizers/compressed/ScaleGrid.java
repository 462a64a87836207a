package dev.quant4j.quantizers.compressed;

import dev.quant4j.error.FormatException;
import dev.quant4j.error.NotSupportedException;
import java.nio.file.Path;
import java.util.List;

/**
 * Which scale (and zero point) each element of a {@code [rows, cols]} weight uses under a
 * compressed-tensors strategy, all expressed as a grid of {@code blockRows x blockCols} tiles:
 * tensor is one tile of the whole matrix, channel a {@code 1 x cols} tile per row, group {@code 1 x
 * group_size} tiles, block the {@code block_structure} tiles (the last ones possibly partial).
 * Scales are stored row-major over the tiles, which is also the order of compressed-tensors' scale
 * tensors ({@code [1]}, {@code [rows, 1]}, {@code [rows, cols / group_size]}, {@code [ceil(rows /
 * bh), ceil(cols / bw)]}).
 */
record ScaleGrid(String strategy, int rows, int cols, int blockRows, int blockCols) {
  static final List<String> WEIGHT_STRATEGIES = List.of("tensor", "channel", "group", "block");

  /**
   * The grid of {@code args} over a weight; {@code name} and {@code file} are named in errors.
   *
   * @throws NotSupportedException for tensor_group (NVFP4), attn_head and token strategies
   * @throws FormatException when the weight's columns are not a multiple of the group size
   */
  static ScaleGrid of(QuantizationArgs args, int rows, int cols, Path file, String name) {
    String s = args.strategy();
    return switch (s) {
      case "tensor" -> new ScaleGrid(s, rows, cols, rows, cols);
      case "channel" -> new ScaleGrid(s, rows, cols, 1, cols);
      case "group" -> {
        int gs = args.groupSize();
        if (cols % gs != 0) {
          // compressed-tensors refuses too ("tensor column shape must be divisible by group_size").
          throw new FormatException(
              file,
              name,
              "in_features must be a multiple of the group size",
              "a multiple of " + gs,
              cols);
        }
        yield new ScaleGrid(s, rows, cols, 1, gs);
      }
      case "block" ->
          new ScaleGrid(s, rows, cols, args.blockStructure().get(0), args.blockStructure().get(1));
      default ->
          throw new NotSupportedException(
              file, "compressed-tensors weight strategy '" + s + "' (" + name + ")");
    };
  }

  int scaleRows() {
    return Math.ceilDiv(rows, blockRows);
  }

  int scaleCols() {
    return Math.ceilDiv(cols, blockCols);
  }

  /** Number of scales. */
  int count() {
    return scaleRows() * scaleCols();
  }

  /** The scale index of element {@code (r, c)}. */
  int index(int r, int c) {
    return (r / blockRows) * scaleCols() + c / blockCols;
  }

  /** The shape compressed-tensors gives the scale (and unpacked zero point) tensor. */
  long[] scaleShape() {
    return strategy.equals("tensor") ? new long[] {1} : new long[] {scaleRows(), scaleCols()};
  }

  /** Whether a stored scale tensor of shape {@code dims} fits this grid. */
  boolean accepts(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (strategy.equals("tensor")) {
      return n == 1; // [1], [] and the [1, 1] of transformers' FP8 kernel path all occur
    }
    if (strategy.equals("channel") && dims.length == 1) {
      return dims[0] == rows;
    }
    return dims.length == 2 && dims[0] == scaleRows() && dims[1] == scaleCols();
  }

  @Override
  public String toString() {
    return switch (strategy) {
      case "group" -> "group" + blockCols;
      case "block" -> "block" + blockRows + "x" + blockCols;
      default -> strategy;
    };
  }
}
