package org.lorafleet.trainer.lora;

import java.util.List;

/**
 * The LoRA shape and targets, with PEFT's meaning.
 *
 * @param targetModules name suffixes (PEFT list matching), or a single entry {@code all-linear}
 * @param targetRegex when not null, a regular expression every targeted module name must fully match
 *     (PEFT's string form of {@code target_modules}); then {@code targetModules} is empty
 * @param fanInFanOut PEFT's {@code fan_in_fan_out}: the frozen weight is stored [in, out] (GPT-2 Conv1D);
 *     null means "as the architecture requires"
 */
public record LoraSettings(int r, double alpha, boolean rslora, double dropout, List<String> targetModules,
    String targetRegex, Boolean fanInFanOut) implements java.io.Serializable {

  public static final String ALL_LINEAR = "all-linear";

  public LoraSettings {
    if (r <= 0) {
      throw new IllegalArgumentException("LoRA rank r must be > 0, got " + r + ".");
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("lora_alpha must be a finite number > 0, got " + alpha + ".");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout + ".");
    }
    targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
    if (targetModules.isEmpty() && targetRegex == null) {
      throw new IllegalArgumentException("LoRA needs target_modules: a list of module name suffixes, a regular "
          + "expression, or all-linear.");
    }
  }

  /** Suffix-list targets, as most configs give them. */
  public static LoraSettings of(int r, double alpha, List<String> targets) {
    return new LoraSettings(r, alpha, false, 0.0, targets, null, null);
  }

  /** alpha / r, or alpha / √r with rsLoRA (Kalajdzievski, 2023). */
  public double scaling() {
    return rslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  public boolean allLinear() {
    return targetModules.size() == 1 && targetModules.get(0).equals(ALL_LINEAR);
  }
}
