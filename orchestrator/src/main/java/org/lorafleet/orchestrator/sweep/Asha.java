package org.lorafleet.orchestrator.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.orchestrator.config.EarlyStoppingConfig;
import org.lorafleet.orchestrator.config.SweepConfig;

/**
 * The stopping rule of asynchronous successive halving (Li et al. 2020, ASHA): when a trial reaches
 * rung k, its metric joins those recorded at rung k so far; it goes on only if fewer than
 * max(1, ⌊n / η⌋) of the n recorded metrics are strictly better. The first trial at a rung always goes
 * on. With trials in parallel, decisions depend on which trials reached a rung first (as in ASHA); one
 * at a time, the decisions are reproducible. Thread-safe.
 */
final class Asha {

  private final EarlyStoppingConfig cfg;
  private final SweepConfig.Goal goal;
  private final Map<Integer, List<Double>> recorded = new HashMap<>();

  Asha(EarlyStoppingConfig cfg, SweepConfig.Goal goal) {
    this.cfg = cfg;
    this.goal = goal;
  }

  long rungStep(int rung) {
    return cfg.rungStep(rung);
  }

  /** Records a result reached before this run (a resumed sweep), without deciding anything. */
  synchronized void restore(int rung, double metric) {
    recorded.computeIfAbsent(rung, k -> new ArrayList<>()).add(metric);
  }

  /** Records {@code metric} at {@code rung}; returns whether the trial goes on to the next rung. */
  synchronized boolean reached(int rung, double metric) {
    List<Double> at = recorded.computeIfAbsent(rung, k -> new ArrayList<>());
    at.add(metric);
    if (Double.isNaN(metric)) {
      return false;
    }
    int keep = Math.max(1, at.size() / cfg.reductionFactor());
    long better = at.stream().filter(m -> goal.better(m, metric)).count();
    return better < keep;
  }
}
