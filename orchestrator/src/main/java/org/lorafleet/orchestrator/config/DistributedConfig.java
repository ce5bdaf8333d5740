package org.lorafleet.orchestrator.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Section {@code distributed}: how many workers train and how their updates are combined
 * (DESIGN.md, "Update rules").
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
public record DistributedConfig(int workers, Mode mode, int localSteps, int staleness, Aggregation aggregation,
    Duration stepTimeout) {

  static final String SECTION = "distributed";

  /** Update rules. */
  public enum Mode implements YamlNamed {
    SYNC, LOCAL_SGD, ASYNC;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** How local-sgd averages LoRA factor deltas. */
  public enum Aggregation implements YamlNamed {
    MEAN, PRODUCT;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

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
    Mode mode = n.choice("mode", Mode.SYNC, Mode.class);
    int localSteps = n.integer("local_steps", 8);
    int staleness = n.integer("staleness", 2);
    Aggregation aggregation = n.choice("aggregation", Aggregation.MEAN, Aggregation.class);
    Duration stepTimeout = n.duration("step_timeout", Duration.ofSeconds(120));
    return n.attempt(() -> new DistributedConfig(workers, mode, localSteps, staleness, aggregation, stepTimeout));
  }
}
