package org.lorafleet.orchestrator.config;

/**
 * Section {@code early_stopping} of a sweep file: asynchronous successive halving (ASHA, Li et al.
 * 2020, "A System for Massively Parallel Hyperparameter Tuning"). Trials are judged at rungs of
 * {@code minSteps × reductionFactor^k} steps; at each rung a trial goes on only if its metric there is
 * among the best {@code 1 / reductionFactor} of the trials that reached that rung so far.
 *
 * @param minSteps the first rung, in optimizer steps (local steps in local-sgd), >= 1. Required
 * @param reductionFactor η, >= 2; default 3
 */
public record EarlyStoppingConfig(int minSteps, int reductionFactor) {

  static final String SECTION = "early_stopping";

  public EarlyStoppingConfig {
    Checks c = new Checks(SECTION);
    c.atLeast("min_steps", minSteps, 1);
    c.atLeast("reduction_factor", reductionFactor, 2);
    c.done();
  }

  /** The step of rung {@code k} (0-based), saturating at Long.MAX_VALUE. */
  public long rungStep(int k) {
    long s = minSteps;
    for (int i = 0; i < k; i++) {
      if (s > Long.MAX_VALUE / reductionFactor) {
        return Long.MAX_VALUE;
      }
      s *= reductionFactor;
    }
    return s;
  }

  static EarlyStoppingConfig read(ConfigNode n) {
    Integer minSteps = n.optionalInteger("min_steps", null);
    if (minSteps == null) {
      n.error("min_steps", "is required: the step of the first rung");
      return null;
    }
    int eta = n.integer("reduction_factor", 3);
    return n.attempt(() -> new EarlyStoppingConfig(minSteps, eta));
  }
}
