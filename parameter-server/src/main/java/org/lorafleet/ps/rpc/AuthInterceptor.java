package org.lorafleet.ps.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Set;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.auth.Role;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.server.ParameterServerCore;

/**
 * Admits a call only with the job's id and a valid token in its metadata, and an admin call
 * (Snapshot, Restore: they read or replace the whole state) only with the admin token on a server
 * that serves admin calls at all. Otherwise closes it with UNAUTHENTICATED, NOT_FOUND (another job's
 * id) or PERMISSION_DENIED before any handler runs, so no state is touched. Token comparisons are
 * constant-time ({@link ParameterServerCore#authenticate}).
 */
final class AuthInterceptor implements ServerInterceptor {

  private static final Set<String> ADMIN_METHODS = Set.of(ParameterServerGrpc.getSnapshotMethod().getFullMethodName(),
      ParameterServerGrpc.getRestoreMethod().getFullMethodName());

  private final ParameterServerCore core;
  private final boolean adminCalls;

  AuthInterceptor(ParameterServerCore core, boolean adminCalls) {
    this.core = core;
    this.adminCalls = adminCalls;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    try {
      Role role = core.authenticate(headers.get(RpcHeaders.JOB_ID), headers.get(RpcHeaders.TOKEN));
      String method = call.getMethodDescriptor().getFullMethodName();
      if (ADMIN_METHODS.contains(method)) {
        requireAdmin(role, call.getMethodDescriptor().getBareMethodName());
      }
    } catch (PsException e) {
      call.close(StatusMapping.status(e), StatusMapping.trailers(e));
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  private void requireAdmin(Role role, String method) {
    PsException refusal = null;
    if (!adminCalls) {
      refusal = new PsException(Refusal.FORBIDDEN, method + " is an admin call, and this parameter server serves "
          + "none over the network (the process that hosts it takes snapshots and restores in process).");
    } else if (role != Role.ADMIN) {
      refusal = new PsException(Refusal.FORBIDDEN, method + " needs the job's admin token; a worker token may "
          + "only make training calls.");
    }
    if (refusal != null) {
      core.recorder().refused(refusal.reason());
      throw refusal;
    }
  }
}
