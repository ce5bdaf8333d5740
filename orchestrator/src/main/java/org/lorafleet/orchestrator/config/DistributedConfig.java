package org.lorafleet.orchestrator.config;

import java.time.Duration;
import org.lorafleet.ps.api.Aggregation;
import org.lorafleet.ps.api.UpdateMode;

/**
 * Section {@code distributed}: how many workers train and how their updates are combined
 * (docs/ARCHITECTURE.md, "Update rules").
 *
 * @param workers Spark tasks in the training barrier stage, >= 1; default 2
 * @param mode {@code sync} (default: exact synchronous data parallelism), {@code local-sgd} (FedAvg of
 *     weight deltas every {@code localSteps}) or {@code async} (bounded staleness)
 * @param localSteps local steps between averages in local-sgd, >= 1; default 8
 * @param staleness in async, a gradient computed on version v is applied only if the current
 *     version − v ≤ staleness, >= 0; default 2
 * @param aggregation how local-sgd averages LoRA factors: {@code mean} (default; FedAvg of A and B
 *     separately) or {@code product} (average of B·A re-factorised to rank r)
 * @param stepTimeout how long the server waits for a step's pushes before failing it, > 0; default 120s
 */
public record DistributedConfig(int workers, UpdateMode mode, int localSteps, int staleness, Aggregation aggregation,
    Duration stepTimeout) {

  static final String SECTION = "distributed";

  public DistributedConfig {
    Checks c = new Checks(SECTION);
    c.atLeast("workers", workers, 1);
    c.check(mode != null, "mode", "is required");
    c.atLeast("local_steps", localSteps, 1);
    c.atLeast("staleness", staleness, 0);
    c.check(aggregation != null, "aggregation", "is required");
    c.check(stepTimeout != null && stepTimeout.toMillis() > 0, "step_timeout",
        "must be longer than 0 (got " + (stepTimeout == null ? "null" : Durations.format(stepTimeout)) + ")");
    c.done();
  }

  static DistributedConfig read(ConfigNode n) {
    int workers = n.integer("workers", 2);
    UpdateMode mode = n.choice("mode", UpdateMode.SYNC, UpdateMode.class, UpdateMode::configName);
    int localSteps = n.integer("local_steps", 8);
    int staleness = n.integer("staleness", 2);
    Aggregation aggregation = n.choice("aggregation", Aggregation.MEAN, Aggregation.class, Aggregation::configName);
    Duration stepTimeout = n.duration("step_timeout", Duration.ofSeconds(120));
    return n.attempt(() -> new DistributedConfig(workers, mode, localSteps, staleness, aggregation, stepTimeout));
  }
}
