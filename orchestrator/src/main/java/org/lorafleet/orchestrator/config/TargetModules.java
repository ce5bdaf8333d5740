package org.lorafleet.orchestrator.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which layers LoRA adapts ({@code lora.target_modules}), with PEFT's meaning: a YAML list of module
 * name suffixes ({@code [q_proj, v_proj]}), the string {@code all-linear} (every linear layer but the
 * output head), or any other string, a regular expression that must match a module's whole name.
 * Fields mirror the trainer's {@code LoraSettings(targetModules, targetRegex)}.
 *
 * @param names suffixes, or the single entry {@code all-linear}; empty when {@code regex} is set
 * @param regex a regular expression, or null
 */
@YamlValue.Type(Schema.Type.STRING_OR_LIST)
public record TargetModules(List<String> names, String regex) implements YamlValue {

  public static final String ALL_LINEAR = "all-linear";

  /** The default, {@code [q_proj, v_proj]}. */
  public static final TargetModules DEFAULT = suffixes(List.of("q_proj", "v_proj"));

  public TargetModules {
    names = names == null ? List.of() : List.copyOf(names);
    Checks c = new Checks(LoraConfig.SECTION);
    if (regex != null) {
      c.check(names.isEmpty(), "target_modules", "takes a list of names or one regular expression, not both");
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        c.fail("target_modules", "is not a valid regular expression: " + e.getDescription()
            + " near index " + e.getIndex() + " (got '" + regex + "')");
      }
      c.check(!regex.isBlank(), "target_modules", "must not be empty");
    } else {
      c.check(!names.isEmpty(), "target_modules", "must name at least one module, or be all-linear or a regular expression");
      for (int i = 0; i < names.size(); i++) {
        c.check(!names.get(i).isBlank(), "target_modules[" + i + "]", "must not be empty");
      }
      c.check(!names.contains(ALL_LINEAR) || names.size() == 1, "target_modules",
          "all-linear stands alone; write target_modules: all-linear");
    }
    c.done();
  }

  public static TargetModules suffixes(List<String> names) {
    return new TargetModules(names, null);
  }

  public static TargetModules allLinear() {
    return new TargetModules(List.of(ALL_LINEAR), null);
  }

  public static TargetModules regex(String regex) {
    return new TargetModules(List.of(), regex);
  }

  /** From a YAML value: a list is suffixes; the string all-linear is all-linear; any other string a regex. */
  public static TargetModules fromYaml(Object value) {
    if (value instanceof List<?> l) {
      return suffixes(l.stream().map(String::valueOf).toList());
    }
    String s = String.valueOf(value);
    return s.equals(ALL_LINEAR) ? allLinear() : regex(s);
  }

  public boolean isAllLinear() {
    return regex == null && names.size() == 1 && names.get(0).equals(ALL_LINEAR);
  }

  /** The YAML value: {@code all-linear}, the regex string, or the list of names. */
  @Override
  public Object toYaml() {
    return regex != null ? regex : isAllLinear() ? ALL_LINEAR : names;
  }

  /** {@code all-linear}, the regex, or {@code [q_proj, v_proj]}. */
  @Override
  public String toString() {
    return String.valueOf(toYaml());
  }
}
