package dev.quant4j.quantizers.quanto;

import java.util.Optional;

/**
 * The optimum-quanto weight types quant4j runs, with the names {@code quanto_qmap.json} uses and
 * the {@code weights} values of transformers' {@code QuantoConfig}.
 */
public enum QuantoQtype {
  QINT2("qint2", "int2", 2),
  QINT4("qint4", "int4", 4),
  QINT8("qint8", "int8", 8),
  /** {@code float8_e4m3fn}, the only float8 that transformers' {@code QuantoConfig} names. */
  QFLOAT8("qfloat8_e4m3fn", "float8", 8);

  private final String qmapName;
  private final String configName;
  private final int bits;

  QuantoQtype(String qmapName, String configName, int bits) {
    this.qmapName = qmapName;
    this.configName = configName;
    this.bits = bits;
  }

  /** The name in {@code quanto_qmap.json} and quanto's {@code qtypes} table. */
  public String qmapName() {
    return qmapName;
  }

  /** The {@code weights} value of {@code QuantoConfig}. */
  public String configName() {
    return configName;
  }

  public int bits() {
    return bits;
  }

  /** Packed affine types ({@code WeightQBitsTensor}) rather than byte-wide symmetric ones. */
  public boolean isPacked() {
    return bits < 8;
  }

  public static Optional<QuantoQtype> fromConfigName(String name) {
    for (QuantoQtype q : values()) {
      if (q.configName.equals(name)) {
        return Optional.of(q);
      }
    }
    return Optional.empty();
  }

  public static Optional<QuantoQtype> fromQmapName(String name) {
    for (QuantoQtype q : values()) {
      if (q.qmapName.equals(name)) {
        return Optional.of(q);
      }
    }
    return Optional.empty();
  }

  /**
   * quanto's group size for a packed weight of {@code inFeatures} columns ({@code QModuleMixin}):
   * 128, lowered by 32 while it does not divide {@code inFeatures} and stays above 32; 0 (one group
   * per row, no grouping) when {@code inFeatures <= 128} or nothing divides.
   */
  public static int groupSize(int inFeatures) {
    int gs = 128;
    if (inFeatures <= gs) {
      return 0;
    }
    while (inFeatures % gs != 0 && gs > 32) {
      gs -= 32;
    }
    return inFeatures % gs == 0 ? gs : 0;
  }
}
