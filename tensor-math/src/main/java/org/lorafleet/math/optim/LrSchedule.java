package org.lorafleet.math.optim;

import java.util.Locale;

/**
 * Learning-rate schedules with the formulas of Hugging Face transformers' {@code get_*_schedule}
 * helpers. Steps are 0-based: {@code lr(0)} is the rate of the first optimizer step.
 *
 * @param kind constant, constant_with_warmup, linear (warmup then linear decay to 0) or cosine
 *     (warmup then half-cosine decay to {@code minLrRatio * peak})
 */
public record LrSchedule(Kind kind, double peakLr, long warmupSteps, long totalSteps, double minLrRatio)
    implements java.io.Serializable {

  /** The schedule shapes offered in configs ({@code train.schedule}). */
  public enum Kind {
    CONSTANT, CONSTANT_WITH_WARMUP, LINEAR, COSINE;

    public static Kind parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Unknown learning-rate schedule '" + s
            + "'; expected one of constant, constant_with_warmup, linear, cosine.", e);
      }
    }

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public LrSchedule {
    if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
      throw new IllegalArgumentException("Learning rate must be a finite positive number, got " + peakLr + ".");
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps + ".");
    }
    if (totalSteps < 1) {
      throw new IllegalArgumentException("The schedule needs at least one step, got " + totalSteps + ".");
    }
    if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
      throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio + ".");
    }
  }

  public static LrSchedule constant(double lr) {
    return new LrSchedule(Kind.CONSTANT, lr, 0, 1, 0);
  }

  /** Learning rate of 0-based optimizer step {@code step}. */
  public double lr(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("Step must be >= 0, got " + step + ".");
    }
    if (kind == Kind.CONSTANT) {
      return peakLr;
    }
    if (step < warmupSteps) {
      return peakLr * step / Math.max(1, warmupSteps);
    }
    double decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (step - warmupSteps) / decaySteps);
    return switch (kind) {
      case CONSTANT, CONSTANT_WITH_WARMUP -> peakLr;
      case LINEAR -> peakLr * Math.max(0.0, 1.0 - progress);
      case COSINE -> peakLr * (minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    };
  }
}
