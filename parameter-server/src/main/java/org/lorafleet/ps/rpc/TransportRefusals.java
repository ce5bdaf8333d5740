package org.lorafleet.ps.rpc;

import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.server.MetricsRecorder;

/**
 * Counts calls the transport itself refused for an over-limit message (gRPC closes them with
 * RESOURCE_EXHAUSTED before any handler sees the message), so they show in the metrics as {@link
 * Refusal#OVERSIZED}. The service never reports RESOURCE_EXHAUSTED itself, so nothing is counted twice.
 */
final class TransportRefusals extends ServerStreamTracer.Factory {

  private final MetricsRecorder metrics;

  TransportRefusals(MetricsRecorder metrics) {
    this.metrics = metrics;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new ServerStreamTracer() {
      @Override
      public void streamClosed(Status status) {
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          metrics.refused(Refusal.OVERSIZED);
        }
      }
    };
  }
}
