package org.lorafleet.orchestrator.config;

import java.util.List;
import java.util.Locale;

/**
 * Section {@code sweep} of a sweep file: which job to vary, how trials are chosen, how they are
 * judged and where results go.
 *
 * @param name sweep name (letters, digits, '.', '_', '-'); trials are named {@code <name>-trial-NNN}. Required
 * @param base the job file every trial starts from, relative to the sweep file (or absolute / a Hadoop URI). Required
 * @param set {@code key=value} overrides applied to the base for every trial, before the swept parameters
 * @param metric what ranks trials: {@code eval_loss} (default), {@code eval_perplexity} or {@code train_loss}
 *     (the last logged training loss)
 * @param goal {@code minimize} (default) or {@code maximize}
 * @param method {@code grid} (default: every combination of the listed values) or {@code random}
 * @param trials random: how many trials to sample (required, >= 1); grid: run only the first this many
 *     combinations (default: all)
 * @param parallel trials running at once in the Spark application, >= 1; default 1. Each needs
 *     {@code distributed.workers} task slots
 * @param seed seed of random sampling, >= 0; default 42 (trials keep the base job's seed unless it is swept)
 * @param outputDir where trials, leaderboard and report go; default {@code out/sweeps/<name>}
 */
public record SweepConfig(String name, String base, List<String> set, Metric metric, Goal goal, Method method,
    Integer trials, int parallel, long seed, String outputDir) {

  static final String SECTION = "sweep";

  /** What ranks the trials. */
  public enum Metric implements YamlNamed {
    EVAL_LOSS, EVAL_PERPLEXITY, TRAIN_LOSS;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the metric needs evaluation data. */
    public boolean needsEval() {
      return this != TRAIN_LOSS;
    }
  }

  /** Whether lower or higher metric values are better. */
  public enum Goal implements YamlNamed {
    MINIMIZE, MAXIMIZE;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code a} is strictly better than {@code b}; NaN is never better. */
    public boolean better(double a, double b) {
      if (Double.isNaN(a)) {
        return false;
      }
      if (Double.isNaN(b)) {
        return true;
      }
      return this == MINIMIZE ? a < b : a > b;
    }
  }

  /** How trial parameters are chosen. */
  public enum Method implements YamlNamed {
    GRID, RANDOM;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public SweepConfig {
    Checks c = new Checks(SECTION);
    if (c.notBlank("name", name)) {
      c.check(JobConfig.NAME.matcher(name).matches(), "name",
          "must consist of letters, digits, '.', '_' and '-' only (got '" + name + "')");
    }
    c.notBlank("base", base);
    c.check(metric != null, "metric", "is required");
    c.check(goal != null, "goal", "is required");
    c.check(method != null, "method", "is required");
    if (method == Method.RANDOM) {
      c.check(trials != null, "trials", "is required with method random: say how many trials to sample");
    }
    if (trials != null) {
      c.atLeast("trials", trials, 1);
    }
    c.atLeast("parallel", parallel, 1);
    c.atLeast("seed", seed, 0);
    c.nullOrNotBlank("output_dir", outputDir);
    c.done();
    set = set == null ? List.of() : List.copyOf(set);
    if (outputDir == null) {
      outputDir = "out/sweeps/" + name;
    }
  }

  static SweepConfig read(ConfigNode n) {
    String name = n.requiredString("name");
    String base = n.requiredString("base");
    List<String> set = n.stringList("set", List.of());
    Metric metric = n.choice("metric", Metric.EVAL_LOSS, Metric.class);
    Goal goal = n.choice("goal", Goal.MINIMIZE, Goal.class);
    Method method = n.choice("method", Method.GRID, Method.class);
    Integer trials = n.optionalInteger("trials", null);
    int parallel = n.integer("parallel", 1);
    long seed = n.longInteger("seed", 42);
    String outputDir = n.string("output_dir", null);
    return n.attempt(() -> new SweepConfig(name, base, set, metric, goal, method, trials, parallel, seed, outputDir));
  }
}
