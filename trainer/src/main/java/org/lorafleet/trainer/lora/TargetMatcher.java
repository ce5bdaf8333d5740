package org.lorafleet.trainer.lora;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Chooses the layers LoRA adapts, with PEFT's rules: a list entry matches a module whose name equals
 * it or ends with {@code "." + entry} (so GPT-2 {@code c_proj} hits both attn.c_proj and mlp.c_proj);
 * a regular expression must match the whole name; {@code all-linear} takes every linear layer (the
 * output head is never among the candidates).
 */
public final class TargetMatcher {

  private TargetMatcher() {}

  /**
   * @param modules candidate linear layers in model order
   * @return the targeted modules in model order
   * @throws IllegalArgumentException when an entry matches nothing, naming the layer names on offer
   */
  public static List<String> select(Collection<String> modules, LoraSettings s) {
    List<String> chosen = new ArrayList<>();
    if (s.targetRegex() != null) {
      Pattern p = Pattern.compile(s.targetRegex());
      for (String m : modules) {
        if (p.matcher(m).matches()) {
          chosen.add(m);
        }
      }
      if (chosen.isEmpty()) {
        throw new IllegalArgumentException("LoRA target_modules regex '" + s.targetRegex()
            + "' matches no layer of this model; layer names look like '" + modules.iterator().next() + "'.");
      }
      return chosen;
    }
    if (s.allLinear()) {
      return new ArrayList<>(modules);
    }
    for (String target : s.targetModules()) {
      boolean hit = modules.stream().anyMatch(m -> matches(m, target));
      if (!hit) {
        throw new IllegalArgumentException("LoRA target module '" + target + "' matches no layer of this model; "
            + "its linear layers end in " + leafNames(modules) + " (or use all-linear).");
      }
    }
    for (String m : modules) {
      if (s.targetModules().stream().anyMatch(t -> matches(m, t))) {
        chosen.add(m);
      }
    }
    return chosen;
  }

  static boolean matches(String module, String target) {
    return module.equals(target) || module.endsWith("." + target);
  }

  private static String leafNames(Collection<String> modules) {
    TreeSet<String> leaves = new TreeSet<>();
    for (String m : modules) {
      leaves.add(m.substring(m.lastIndexOf('.') + 1));
    }
    return leaves.toString();
  }
}
