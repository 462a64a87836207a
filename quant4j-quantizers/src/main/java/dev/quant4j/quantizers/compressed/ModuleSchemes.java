package dev.quant4j.quantizers.compressed;

import dev.quant4j.error.ConfigException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which {@code config_groups} scheme applies to a Linear module, as compressed-tensors' {@code
 * apply_quantization_config} decides: a target or ignore entry matches a module when it is {@code
 * re:} followed by a regex that matches a prefix of the module's name ({@code re.match}), when it
 * equals the name, or when it names the module's class or a superclass ({@code Linear}, {@code
 * Module}). A module is quantized when some target matches and no ignore entry does; among the
 * matching targets the exact names win, then the regexes, then class names (each sorted), and a
 * target listed by two groups belongs to the later group. Groups are taken in name order, the order
 * of a config.json written with sorted keys.
 */
final class ModuleSchemes {
  /** The class names a Linear layer answers to (its MRO: {@code Linear}, {@code Module}). */
  private static final List<String> LINEAR_CLASSES = List.of("Linear", "Module");

  private final Map<String, Group> byTarget = new LinkedHashMap<>();
  private final List<String> ignore;
  private final Map<String, Pattern> patterns = new LinkedHashMap<>();

  /** A scheme with its group name. */
  record Group(String name, QuantizationScheme scheme) {}

  ModuleSchemes(Map<String, QuantizationScheme> groups, List<String> ignore) {
    new TreeMap<>(groups)
        .forEach(
            (name, scheme) -> {
              for (String target : scheme.targets()) {
                byTarget.put(
                    target, new Group(name, scheme)); // a later group takes the target over
              }
            });
    this.ignore = List.copyOf(ignore);
    for (String t : byTarget.keySet()) {
      compile("config_groups.targets", t);
    }
    for (String t : ignore) {
      compile("ignore", t);
    }
  }

  /** The group whose scheme applies to Linear module {@code module}, or empty. */
  Optional<Group> forLinear(String module) {
    for (String i : ignore) {
      if (matches(i, module)) {
        return Optional.empty();
      }
    }
    List<String> targets = new ArrayList<>(byTarget.keySet());
    targets.sort(Comparator.comparing((String t) -> t.contains("re:")).thenComparing(t -> t));
    for (String t : targets) {
      if (matchesName(t, module)) {
        return Optional.of(byTarget.get(t));
      }
    }
    for (String t : targets) {
      if (LINEAR_CLASSES.contains(t)) {
        return Optional.of(byTarget.get(t));
      }
    }
    return Optional.empty();
  }

  private boolean matches(String entry, String module) {
    return matchesName(entry, module) || LINEAR_CLASSES.contains(entry);
  }

  private boolean matchesName(String entry, String module) {
    Pattern p = patterns.get(entry);
    return p != null ? p.matcher(module).lookingAt() : entry.equals(module);
  }

  private void compile(String key, String entry) {
    if (!entry.startsWith("re:") || patterns.containsKey(entry)) {
      return;
    }
    try {
      patterns.put(entry, Pattern.compile(entry.substring(3)));
    } catch (PatternSyntaxException e) {
      throw new ConfigException(
          null,
          key,
          "not a valid regular expression",
          "a Java-compatible pattern after re:",
          entry);
    }
  }
}
