package org.lorafleet.ps.api;

/** Status codes of {@link PsException}; each is the gRPC status code of the same name. */
public enum PsStatus {
  INVALID_ARGUMENT,
  NOT_FOUND,
  FAILED_PRECONDITION,
  ABORTED,
  DEADLINE_EXCEEDED,
  UNAUTHENTICATED,
  PERMISSION_DENIED,
  RESOURCE_EXHAUSTED,
  CANCELLED,
  UNAVAILABLE,
  INTERNAL
}
