package org.lorafleet.ps.rpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;

/** {@link PsException} ⇄ gRPC status with a {@link RpcHeaders#REFUSAL} trailer. */
public final class StatusMapping {

  private StatusMapping() {}

  public static Status status(PsException e) {
    return Status.fromCode(Status.Code.valueOf(e.status().name())).withDescription(e.getMessage());
  }

  public static Metadata trailers(PsException e) {
    Metadata md = new Metadata();
    md.put(RpcHeaders.REFUSAL, e.reason().name());
    return md;
  }

  public static StatusRuntimeException toGrpc(PsException e) {
    return status(e).asRuntimeException(trailers(e));
  }

  /** Server side: any failure as a gRPC error (unexpected ones as INTERNAL with their message). */
  public static StatusRuntimeException toGrpc(Throwable t) {
    if (t instanceof PsException pe) {
      return toGrpc(pe);
    }
    if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      return toGrpc(t.getCause());
    }
    return Status.INTERNAL.withDescription("The parameter server failed: " + t).withCause(t).asRuntimeException();
  }

  /** Client side: a gRPC failure as a {@link PsException} with the server's status, reason and message. */
  public static PsException fromGrpc(Throwable t, String call) {
    if (t instanceof PsException pe) {
      return pe;
    }
    Status status;
    Metadata trailers;
    if (t instanceof StatusRuntimeException e) {
      status = e.getStatus();
      trailers = e.getTrailers();
    } else if (t instanceof StatusException e) {
      status = e.getStatus();
      trailers = e.getTrailers();
    } else {
      status = Status.fromThrowable(t);
      trailers = null;
    }
    Refusal reason = null;
    String r = trailers == null ? null : trailers.get(RpcHeaders.REFUSAL);
    if (r != null) {
      try {
        reason = Refusal.valueOf(r);
      } catch (IllegalArgumentException ignored) {
        reason = null;
      }
    }
    if (reason == null) {
      reason = switch (status.getCode()) {
        case UNAUTHENTICATED -> Refusal.UNAUTHENTICATED;
        case PERMISSION_DENIED -> Refusal.FORBIDDEN;
        case RESOURCE_EXHAUSTED -> Refusal.OVERSIZED;
        default -> Refusal.TRANSPORT;
      };
    }
    PsStatus ps;
    try {
      ps = PsStatus.valueOf(status.getCode().name());
    } catch (IllegalArgumentException e) {
      ps = PsStatus.UNAVAILABLE;
    }
    String msg = status.getDescription() != null && r != null ? status.getDescription()
        : "The " + call + " call failed with " + status.getCode()
            + (status.getDescription() == null ? "." : ": " + status.getDescription());
    return new PsException(ps, reason, msg, t);
  }
}
