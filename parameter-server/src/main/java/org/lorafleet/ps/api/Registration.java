package org.lorafleet.ps.api;

import java.util.List;

/**
 * What a worker learns when it registers: the job's rules and the version to start from. A worker
 * that registers again (a retried Spark task) rejoins at the then current {@code version}.
 *
 * @param version the current version; in {@code sync} and {@code local-sgd} also the next step
 *     (round) to compute
 * @param tensors the trained tensors in the job's order
 */
public record Registration(String jobId, String workerId, UpdateMode mode, Aggregation aggregation,
    long version, int expectedWorkers, long staleness, List<TensorSpec> tensors) {

  public Registration {
    tensors = List.copyOf(tensors);
  }
}
