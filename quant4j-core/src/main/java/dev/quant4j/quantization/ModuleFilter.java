package dev.quant4j.quantization;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which modules a quantizer leaves alone, matched as transformers matches {@code
 * modules_to_not_convert}: an entry excludes a module when it equals the module's name or, followed
 * by a dot, occurs in it ({@code lm_head} excludes {@code lm_head}; {@code mlp} excludes {@code
 * model.layers.3.mlp.down_proj}); quant4j also lets a trailing part match ({@code down_proj}), and
 * {@code re:} entries are regular expressions over the whole name, as compressed-tensors writes
 * them.
 */
public final class ModuleFilter {
  private ModuleFilter() {}

  /** The default selection of {@link Quantizer#weightsToConvert}. */
  public static Set<String> defaultSelection(
      List<String> excluded, List<String> linearWeights, String outputHeadWeight) {
    List<String> skip = excluded.isEmpty() ? List.of(moduleOf(outputHeadWeight)) : excluded;
    Set<String> selected = new LinkedHashSet<>();
    for (String weight : linearWeights) {
      if (!excludes(skip, moduleOf(weight))) {
        selected.add(weight);
      }
    }
    return selected;
  }

  /** Whether any entry of {@code skip} names {@code module} or a dotted part of it. */
  public static boolean excludes(List<String> skip, String module) {
    String dotted = "." + module + ".";
    for (String s : skip) {
      if (s.startsWith("re:")) {
        if (pattern(s).matcher(module).matches()) {
          return true;
        }
      } else if (module.equals(s) || module.contains(s + ".") || dotted.endsWith("." + s + ".")) {
        return true;
      }
    }
    return false;
  }

  private static java.util.regex.Pattern pattern(String entry) {
    try {
      return java.util.regex.Pattern.compile(entry.substring(3));
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new dev.quant4j.error.ConfigException(
          null,
          "modules_to_not_convert",
          "not a valid regular expression",
          "a Java-compatible pattern after re:",
          entry);
    }
  }

  /** {@code model.layers.0.mlp.down_proj} for {@code model.layers.0.mlp.down_proj.weight}. */
  public static String moduleOf(String weightName) {
    int dot = weightName.lastIndexOf('.');
    return dot < 0 ? weightName : weightName.substring(0, dot);
  }
}
