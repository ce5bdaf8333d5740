package org.lorafleet.ps.client;

import io.grpc.ClientCall;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.rpc.ProtoMapping;
import org.lorafleet.ps.rpc.SnapshotMapping;
import org.lorafleet.ps.rpc.StatusMapping;
import org.lorafleet.ps.rpc.TensorAssembler;
import org.lorafleet.ps.rpc.proto.PullHeader;
import org.lorafleet.ps.rpc.proto.PullMessage;
import org.lorafleet.ps.rpc.proto.PullRequest;
import org.lorafleet.ps.rpc.proto.SnapshotMessage;
import org.lorafleet.ps.rpc.proto.SnapshotRequest;
import org.lorafleet.ps.snapshot.ServerSnapshot;

/**
 * The server-streaming calls of a {@link GrpcClient} that bring tensors in chunks: a pull (a header,
 * then the tensors' chunks) and a snapshot, each assembled into one result. A malformed stream is
 * cancelled and fails with the {@link PsException} that found it malformed. Stateless; each method
 * blocks the calling thread until the stream ended or failed (the call's deadline bounds it);
 * assembly runs on gRPC's thread for the call.
 */
final class ChunkedDownloads {

  private ChunkedDownloads() {}

  /** Runs {@code rpc} (a new, unstarted pull call) and blocks for the pulled version. */
  static VersionedTensors pull(ClientCall<PullRequest, PullMessage> rpc) {
    CompletableFuture<VersionedTensors> f = new CompletableFuture<>();
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<PullRequest>[] call = new ClientCallStreamObserver[1];
    ClientCalls.asyncServerStreamingCall(rpc, PullRequest.getDefaultInstance(),
        new ClientResponseObserver<PullRequest, PullMessage>() {
      private final TensorAssembler assembler = new TensorAssembler(null, "pulled version");
      private PullHeader header;

      @Override
      public void beforeStart(ClientCallStreamObserver<PullRequest> c) {
        call[0] = c;
      }

      @Override
      public void onNext(PullMessage m) {
        try {
          if (m.hasHeader()) {
            header = m.getHeader();
          } else {
            assembler.accept(m.getChunk());
          }
        } catch (PsException e) {
          f.completeExceptionally(e);
          call[0].cancel("The pulled stream is malformed.", e);
        }
      }

      @Override
      public void onError(Throwable t) {
        f.completeExceptionally(StatusMapping.fromGrpc(t, "Pull"));
      }

      @Override
      public void onCompleted() {
        try {
          Map<String, FloatTensor> tensors = assembler.finish(false);
          if (header == null || tensors.size() != header.getTensorCount()) {
            throw new PsException(Refusal.MALFORMED, "The pulled version holds " + tensors.size()
                + " tensors but its header announced " + (header == null ? "none" : header.getTensorCount()) + ".");
          }
          f.complete(new VersionedTensors(header.getVersion(), tensors,
              header.getHasOutcome() ? ProtoMapping.fromProto(header.getLastOutcome()) : null));
        } catch (PsException e) {
          f.completeExceptionally(e);
        }
      }
    });
    return StreamCalls.await(f, call[0], "Pull");
  }

  /** Runs {@code rpc} (a new, unstarted snapshot call) and blocks for the snapshot. */
  static ServerSnapshot snapshot(ClientCall<SnapshotRequest, SnapshotMessage> rpc) {
    CompletableFuture<ServerSnapshot> f = new CompletableFuture<>();
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<SnapshotRequest>[] call = new ClientCallStreamObserver[1];
    ClientCalls.asyncServerStreamingCall(rpc, SnapshotRequest.getDefaultInstance(),
        new ClientResponseObserver<SnapshotRequest, SnapshotMessage>() {
          private final SnapshotMapping.Collector collector = new SnapshotMapping.Collector();

          @Override
          public void beforeStart(ClientCallStreamObserver<SnapshotRequest> c) {
            call[0] = c;
          }

          @Override
          public void onNext(SnapshotMessage m) {
            try {
              collector.accept(m);
            } catch (PsException e) {
              f.completeExceptionally(e);
              call[0].cancel("The snapshot stream is malformed.", e);
            }
          }

          @Override
          public void onError(Throwable t) {
            f.completeExceptionally(StatusMapping.fromGrpc(t, "Snapshot"));
          }

          @Override
          public void onCompleted() {
            try {
              f.complete(collector.finish());
            } catch (PsException e) {
              f.completeExceptionally(e);
            }
          }
        });
    return StreamCalls.await(f, call[0], "Snapshot");
  }
}
