package org.lorafleet.ps.api;

/** Why the server refused a call: the fine-grained reason behind a {@link PsStatus}. */
public enum Refusal {
  /** No token, or a wrong one (UNAUTHENTICATED). */
  UNAUTHENTICATED(PsStatus.UNAUTHENTICATED),
  /** A valid token whose role may not make this call, or an admin call on a server that allows none (PERMISSION_DENIED). */
  FORBIDDEN(PsStatus.PERMISSION_DENIED),
  /** The call names another job than the one this server runs (NOT_FOUND). */
  WRONG_JOB(PsStatus.NOT_FOUND),
  /** An update names a tensor the job does not train (INVALID_ARGUMENT). */
  UNKNOWN_TENSOR(PsStatus.INVALID_ARGUMENT),
  /** An update lacks a tensor the job trains, or part of one (INVALID_ARGUMENT). */
  MISSING_TENSOR(PsStatus.INVALID_ARGUMENT),
  /** An update's tensor or chunk has the wrong shape or extent (INVALID_ARGUMENT). */
  WRONG_SHAPE(PsStatus.INVALID_ARGUMENT),
  /** An update holds NaN or infinity, or a non-finite loss (INVALID_ARGUMENT). */
  NON_FINITE(PsStatus.INVALID_ARGUMENT),
  /** Malformed request: missing header, non-positive token count, empty worker id (INVALID_ARGUMENT). */
  MALFORMED(PsStatus.INVALID_ARGUMENT),
  /** A message over the server's inbound size limit (RESOURCE_EXHAUSTED). */
  OVERSIZED(PsStatus.RESOURCE_EXHAUSTED),
  /** The worker has not registered, or more workers than the job expects tried to (FAILED_PRECONDITION). */
  NOT_REGISTERED(PsStatus.FAILED_PRECONDITION),
  /** The worker's registration predates a failed step or a restore; it must register again (FAILED_PRECONDITION). */
  REGISTRATION_STALE(PsStatus.FAILED_PRECONDITION),
  /** Gradients pushed to a local-sgd job or deltas to a sync/async job (FAILED_PRECONDITION). */
  WRONG_MODE(PsStatus.FAILED_PRECONDITION),
  /** A push for a step that was already applied without this worker's update (FAILED_PRECONDITION). */
  OLD_STEP(PsStatus.FAILED_PRECONDITION),
  /** A push for a step that was already applied with this worker's update: a late retry (FAILED_PRECONDITION). */
  ALREADY_APPLIED(PsStatus.FAILED_PRECONDITION),
  /** A push for a version the server has not published yet (FAILED_PRECONDITION). */
  FUTURE_STEP(PsStatus.FAILED_PRECONDITION),
  /** Async: the update's base version is more than {@code staleness} behind; pull and recompute (ABORTED). */
  STALE(PsStatus.ABORTED),
  /** A waited-for step failed because a worker did not push in time (DEADLINE_EXCEEDED). */
  STEP_TIMEOUT(PsStatus.DEADLINE_EXCEEDED),
  /** A wait for a version ran out of time (DEADLINE_EXCEEDED). */
  AWAIT_TIMEOUT(PsStatus.DEADLINE_EXCEEDED),
  /** The server state was restored from a snapshot while the call waited (ABORTED). */
  RESTORED(PsStatus.ABORTED),
  /** The server is shutting down (UNAVAILABLE). */
  SHUT_DOWN(PsStatus.UNAVAILABLE),
  /** The calling thread was interrupted while it waited (CANCELLED). */
  INTERRUPTED(PsStatus.CANCELLED),
  /** The transport failed or the call was cancelled; no server-side reason (UNAVAILABLE, CANCELLED…). */
  TRANSPORT(PsStatus.UNAVAILABLE);

  private final PsStatus status;

  Refusal(PsStatus status) {
    this.status = status;
  }

  /** The status code this reason is reported with. */
  public PsStatus status() {
    return status;
  }
}
