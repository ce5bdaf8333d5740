package org.lorafleet.orchestrator.train;

import java.io.Serializable;

/** What one worker task did, returned to the driver when the barrier stage ends. */
public record WorkerReport(int worker, int attempt, long stepsComputed, long tokens, double computeSeconds,
    double waitSeconds, long refusedStale) implements Serializable {}
