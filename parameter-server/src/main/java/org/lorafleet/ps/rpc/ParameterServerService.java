package org.lorafleet.ps.rpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.rpc.proto.ArrayKind;
import org.lorafleet.ps.rpc.proto.AwaitRequest;
import org.lorafleet.ps.rpc.proto.HeartbeatRequest;
import org.lorafleet.ps.rpc.proto.MetricsReply;
import org.lorafleet.ps.rpc.proto.MetricsRequest;
import org.lorafleet.ps.rpc.proto.OutcomesReply;
import org.lorafleet.ps.rpc.proto.OutcomesRequest;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.rpc.proto.PullHeader;
import org.lorafleet.ps.rpc.proto.PullMessage;
import org.lorafleet.ps.rpc.proto.PullRequest;
import org.lorafleet.ps.rpc.proto.PushHeader;
import org.lorafleet.ps.rpc.proto.PushMessage;
import org.lorafleet.ps.rpc.proto.PushReply;
import org.lorafleet.ps.rpc.proto.RegisterReply;
import org.lorafleet.ps.rpc.proto.RegisterRequest;
import org.lorafleet.ps.rpc.proto.RestoreReply;
import org.lorafleet.ps.rpc.proto.SnapshotMessage;
import org.lorafleet.ps.rpc.proto.SnapshotRequest;
import org.lorafleet.ps.rpc.proto.TensorChannelReply;
import org.lorafleet.ps.rpc.proto.TensorChannelRequest;
import org.lorafleet.ps.rpc.proto.VersionStatusMessage;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.server.PublishedVersion;

/**
 * The gRPC service over a {@link ParameterServerCore}. Calls reach it only through {@link
 * AuthInterceptor}. Handlers never block: waits are futures, streams are flow-controlled.
 */
final class ParameterServerService extends ParameterServerGrpc.ParameterServerImplBase {

  /** A published version encoded once, shared by every pull of it. */
  private record Encoded(long version, PullMessage header, List<PullMessage> chunks, long bytes) {}

  private final ParameterServerCore core;
  private final ServerOptions options;
  private final int tensorChannelPort;
  private final Object encodeLock = new Object();
  private volatile Encoded encoded;

  /** @param tensorChannelPort the port of the running tensor channel, or 0 if none is offered */
  ParameterServerService(ParameterServerCore core, ServerOptions options, int tensorChannelPort) {
    this.core = core;
    this.options = options;
    this.tensorChannelPort = tensorChannelPort;
  }

  /** Bytes a server stream may queue in the transport before it waits for the on-ready callback. */
  private int readyThreshold() {
    return Math.max(2 * options.chunkBytes(), 4 << 20);
  }

  @Override
  public void register(RegisterRequest req, StreamObserver<RegisterReply> out) {
    unary(out, () -> ProtoMapping.toProto(core.register(req.getWorkerId())));
  }

  @Override
  public void pull(PullRequest req, StreamObserver<PullMessage> out) {
    Encoded e;
    try {
      e = core.readPublished(this::encode); // encoded copies: the arrays may be recycled afterwards
    } catch (RuntimeException ex) {
      out.onError(StatusMapping.toGrpc(ex));
      return;
    }
    Iterator<PullMessage> items = new Iterator<>() {
      int i = -1;

      @Override
      public boolean hasNext() {
        return i < e.chunks().size();
      }

      @Override
      public PullMessage next() {
        return i++ < 0 ? e.header() : e.chunks().get(i - 1);
      }
    };
    StreamSender.start(out, items, readyThreshold(),
        m -> m.hasChunk() ? m.getChunk().getData().size() : 0, core.recorder()::bytesSent);
  }

  private Encoded encode(PublishedVersion p) {
    Encoded e = encoded;
    if (e != null && e.version() == p.version()) {
      return e;
    }
    synchronized (encodeLock) {
      e = encoded;
      if (e != null && e.version() == p.version()) {
        return e;
      }
      PullHeader.Builder h = PullHeader.newBuilder().setVersion(p.version()).setTensorCount(p.tensors().size());
      if (p.lastOutcome() != null) {
        h.setLastOutcome(ProtoMapping.toProto(p.lastOutcome())).setHasOutcome(true);
      }
      List<PullMessage> chunks = new ArrayList<>();
      long bytes = 0;
      Iterator<org.lorafleet.ps.rpc.proto.TensorChunk> it =
          TensorCodec.chunks(p.tensors(), options.chunkBytes(), ArrayKind.WEIGHT);
      while (it.hasNext()) {
        org.lorafleet.ps.rpc.proto.TensorChunk c = it.next();
        bytes += c.getData().size();
        chunks.add(PullMessage.newBuilder().setChunk(c).build());
      }
      e = new Encoded(p.version(), PullMessage.newBuilder().setHeader(h).build(), chunks, bytes);
      encoded = e;
      return e;
    }
  }

  @Override
  public StreamObserver<PushMessage> push(StreamObserver<PushReply> out) {
    return new StreamObserver<>() {
      private PushHeader header;
      private TensorAssembler assembler;
      private boolean finished;

      @Override
      public void onNext(PushMessage m) {
        if (finished) {
          return;
        }
        try {
          if (m.hasHeader()) {
            if (header != null) {
              throw new PsException(Refusal.MALFORMED, "A push carries two headers.");
            }
            header = m.getHeader();
            try {
              core.precheckPush(kind(header), header.getWorkerId(), header.getStep());
            } catch (PsException e) {
              finished = true; // counted by the core
              out.onError(StatusMapping.toGrpc(e));
              return;
            }
            assembler = new TensorAssembler(core.specMap(), "push of worker '" + header.getWorkerId() + "'",
                core.arrays()::take);
          } else {
            if (header == null) {
              throw new PsException(Refusal.MALFORMED, "A push must start with its header.");
            }
            long before = assembler.bytes();
            try {
              assembler.accept(m.getChunk());
            } finally {
              core.recorder().bytesReceived(assembler.bytes() - before);
            }
          }
        } catch (PsException e) {
          fail(e);
        } catch (RuntimeException e) {
          fail(new PsException(org.lorafleet.ps.api.PsStatus.INVALID_ARGUMENT, Refusal.MALFORMED,
              "The push could not be read: " + e, e));
        }
      }

      private void fail(PsException e) {
        finished = true;
        core.recorder().refused(e.reason());
        out.onError(StatusMapping.toGrpc(e));
      }

      @Override
      public void onError(Throwable t) {
        if (!finished) {
          finished = true;
          core.recorder().pushCancelled(); // the client went away mid-push: nothing is kept
        }
      }

      @Override
      public void onCompleted() {
        if (finished) {
          return;
        }
        finished = true;
        try {
          if (header == null) {
            throw new PsException(Refusal.MALFORMED, "A push must start with its header.");
          }
          Map<String, FloatTensor> tensors;
          try {
            tensors = assembler.finish(true);
          } catch (PsException e) {
            core.recorder().refused(e.reason());
            throw e;
          }
          PushAck ack = core.push(kind(header), header.getWorkerId(), header.getStep(), tensors,
              header.getLossSum(), header.getTokens());
          out.onNext(PushReply.newBuilder().setStep(ack.step()).setDuplicate(ack.duplicate())
              .setApplied(ack.applied()).setVersion(ack.version()).setPendingWorkers(ack.pendingWorkers()).build());
          out.onCompleted();
        } catch (RuntimeException e) {
          out.onError(StatusMapping.toGrpc(e));
        }
      }
    };
  }

  private static UpdateKind kind(PushHeader h) {
    return h.getKind() == org.lorafleet.ps.rpc.proto.UpdateKind.WEIGHT_DELTAS ? UpdateKind.WEIGHT_DELTAS
        : UpdateKind.GRADIENT_SUMS;
  }

  @Override
  public void awaitVersion(AwaitRequest req, StreamObserver<VersionStatusMessage> out) {
    ServerCallStreamObserver<VersionStatusMessage> so = (ServerCallStreamObserver<VersionStatusMessage>) out;
    so.setOnCancelHandler(() -> { });
    String worker = req.getWorkerId().isEmpty() ? null : req.getWorkerId();
    core.awaitVersionAsync(worker, req.getMinVersion(), Duration.ofMillis(Math.max(0, req.getTimeoutMillis())))
        .whenComplete((status, err) -> {
          if (so.isCancelled()) {
            return;
          }
          if (err != null) {
            so.onError(StatusMapping.toGrpc(err));
          } else {
            so.onNext(ProtoMapping.toProto(status));
            so.onCompleted();
          }
        });
  }

  @Override
  public void heartbeat(HeartbeatRequest req, StreamObserver<org.lorafleet.ps.rpc.proto.HeartbeatReply> out) {
    unary(out, () -> {
      org.lorafleet.ps.api.HeartbeatReply r = core.heartbeat(req.getWorkerId());
      return org.lorafleet.ps.rpc.proto.HeartbeatReply.newBuilder().setVersion(r.version())
          .setPendingWorkers(r.pendingWorkers()).build();
    });
  }

  @Override
  public void outcomes(OutcomesRequest req, StreamObserver<OutcomesReply> out) {
    unary(out, () -> {
      OutcomesReply.Builder b = OutcomesReply.newBuilder();
      core.outcomes(req.getFromStep()).forEach(o -> b.addOutcomes(ProtoMapping.toProto(o)));
      return b.build();
    });
  }

  @Override
  public void snapshot(SnapshotRequest req, StreamObserver<SnapshotMessage> out) {
    Iterator<SnapshotMessage> items;
    try {
      items = SnapshotMapping.messages(core.snapshot(), options.chunkBytes());
    } catch (RuntimeException e) {
      out.onError(StatusMapping.toGrpc(e));
      return;
    }
    StreamSender.start(out, items, readyThreshold(),
        m -> m.hasChunk() ? m.getChunk().getData().size() : 0, core.recorder()::bytesSent);
  }

  @Override
  public StreamObserver<SnapshotMessage> restore(StreamObserver<RestoreReply> out) {
    return new StreamObserver<>() {
      private final SnapshotMapping.Collector collector = new SnapshotMapping.Collector();
      private boolean finished;

      @Override
      public void onNext(SnapshotMessage m) {
        if (finished) {
          return;
        }
        try {
          collector.accept(m);
        } catch (PsException e) {
          finished = true;
          core.recorder().refused(e.reason());
          out.onError(StatusMapping.toGrpc(e));
        }
      }

      @Override
      public void onError(Throwable t) {
        finished = true;
      }

      @Override
      public void onCompleted() {
        if (finished) {
          return;
        }
        finished = true;
        try {
          org.lorafleet.ps.snapshot.ServerSnapshot s;
          try {
            s = collector.finish();
          } catch (PsException e) {
            core.recorder().refused(e.reason());
            throw e;
          }
          core.recorder().bytesReceived(collector.bytes());
          core.restore(s);
          out.onNext(RestoreReply.newBuilder().setVersion(s.version()).build());
          out.onCompleted();
        } catch (RuntimeException e) {
          out.onError(StatusMapping.toGrpc(e));
        }
      }
    };
  }

  @Override
  public void tensorChannel(TensorChannelRequest req, StreamObserver<TensorChannelReply> out) {
    unary(out, () -> TensorChannelReply.newBuilder().setPort(tensorChannelPort).build());
  }

  @Override
  public void metrics(MetricsRequest req, StreamObserver<MetricsReply> out) {
    unary(out, () -> ProtoMapping.toProto(core.metrics()));
  }

  private static <T> void unary(StreamObserver<T> out, java.util.function.Supplier<T> body) {
    T reply;
    try {
      reply = body.get();
    } catch (RuntimeException e) {
      out.onError(StatusMapping.toGrpc(e));
      return;
    }
    out.onNext(reply);
    out.onCompleted();
  }
}
