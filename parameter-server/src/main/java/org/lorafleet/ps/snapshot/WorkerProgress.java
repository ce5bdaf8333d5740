package org.lorafleet.ps.snapshot;

/**
 * What the server knows of one worker at a snapshot.
 *
 * @param lastAppliedStep the last step whose applied update included this worker's push, or -1
 * @param lastPushedStep the last step (round, base version) this worker pushed for, or -1
 */
public record WorkerProgress(String workerId, long lastAppliedStep, long lastPushedStep) {}
