package org.lorafleet.ps.api;

import java.util.Map;

/**
 * Counters of one server since it started.
 *
 * @param refusals refused calls by {@link Refusal} name (authentication, validation, staleness…)
 * @param pushesCancelled pushes whose stream broke off before the end (nothing was applied)
 * @param lastFailure message of the last failed step, or empty
 * @param applyMillisTotal server time spent combining and applying updates
 */
public record PsMetrics(long version, long stepsApplied, long stepsFailed, long pushesAccepted,
    long pushesDuplicate, long pushesCancelled, long pulls, long bytesReceived, long bytesSent,
    Map<String, Long> refusals, int registeredWorkers, int pendingWorkers, String lastFailure,
    double applyMillisTotal) {

  public PsMetrics {
    refusals = Map.copyOf(refusals);
  }

  /** Number of refusals with this reason. */
  public long refused(Refusal reason) {
    return refusals.getOrDefault(reason.name(), 0L);
  }
}
