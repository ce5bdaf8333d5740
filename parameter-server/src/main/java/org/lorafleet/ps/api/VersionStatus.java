package org.lorafleet.ps.api;

/**
 * The current version and the outcome of the update that published it ({@code null} when no update
 * has been applied by this server since it started or was restored).
 */
public record VersionStatus(long version, StepOutcome lastOutcome) {}
