package org.lorafleet.ps.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.server.ParameterServerCore;

/**
 * Admits a call only with the job's id and secret in its metadata; otherwise closes it with
 * UNAUTHENTICATED (or NOT_FOUND for another job's id) before any handler runs, so no state is
 * touched. The comparison is constant-time ({@link ParameterServerCore#authenticate}).
 */
final class AuthInterceptor implements ServerInterceptor {

  private final ParameterServerCore core;

  AuthInterceptor(ParameterServerCore core) {
    this.core = core;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    try {
      core.authenticate(headers.get(RpcHeaders.JOB_ID), headers.get(RpcHeaders.SECRET));
    } catch (PsException e) {
      call.close(StatusMapping.status(e), StatusMapping.trailers(e));
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
