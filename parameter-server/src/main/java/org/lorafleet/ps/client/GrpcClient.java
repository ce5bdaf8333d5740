package org.lorafleet.ps.client;

import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.HeartbeatReply;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsMetrics;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.rpc.ChunkMethods;
import org.lorafleet.ps.rpc.ProtoMapping;
import org.lorafleet.ps.rpc.RpcHeaders;
import org.lorafleet.ps.rpc.SnapshotMapping;
import org.lorafleet.ps.rpc.StatusMapping;
import org.lorafleet.ps.rpc.TensorAssembler;
import org.lorafleet.ps.rpc.TensorCodec;
import org.lorafleet.ps.rpc.proto.ArrayKind;
import org.lorafleet.ps.rpc.proto.AwaitRequest;
import org.lorafleet.ps.rpc.proto.HeartbeatRequest;
import org.lorafleet.ps.rpc.proto.MetricsRequest;
import org.lorafleet.ps.rpc.proto.OutcomesRequest;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.rpc.proto.PullHeader;
import org.lorafleet.ps.rpc.proto.PullMessage;
import org.lorafleet.ps.rpc.proto.PullRequest;
import org.lorafleet.ps.rpc.proto.PushHeader;
import org.lorafleet.ps.rpc.proto.PushMessage;
import org.lorafleet.ps.rpc.proto.PushReply;
import org.lorafleet.ps.rpc.proto.RegisterRequest;
import org.lorafleet.ps.rpc.proto.RestoreReply;
import org.lorafleet.ps.rpc.proto.SnapshotMessage;
import org.lorafleet.ps.rpc.proto.SnapshotRequest;
import org.lorafleet.ps.rpc.proto.TensorChannelRequest;
import org.lorafleet.ps.rpc.proto.UpdateKind;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.tensorchannel.TensorChannelClient;

/**
 * {@link ParameterServerClient} over gRPC (Netty). Pushes, pulls and version waits go over the
 * server's tensor channel ({@link org.lorafleet.ps.tensorchannel}) when it offers one; otherwise,
 * and for snapshots and restores, tensors travel in chunks, pushes and restores as flow-controlled client streams,
 * pulls and snapshots as server streams, so no message nears the server's limit. Every method blocks until the server answered or the call's deadline passed.
 * Thread-safe; one channel per client.
 */
public final class GrpcClient implements ParameterServerClient {

  private final ClientOptions options;
  private final ManagedChannel channel;
  private final ParameterServerGrpc.ParameterServerBlockingStub blocking;
  private final ParameterServerGrpc.ParameterServerStub async;
  private final TensorChannelRoute route;

  /** Opens a channel (connects lazily, on the first call). */
  public GrpcClient(ClientOptions options) {
    this.options = options;
    this.route = new TensorChannelRoute(options);
    ChannelCredentials creds;
    try {
      creds = options.trustPem() == null ? InsecureChannelCredentials.create()
          : TlsChannelCredentials.newBuilder().trustManager(new java.io.ByteArrayInputStream(
              options.trustPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII))).build();
    } catch (IOException | IllegalArgumentException e) {
      throw new UncheckedIOException("Cannot read the certificates to trust for TLS (" + e.getMessage() + ").",
          e instanceof IOException io ? io : new IOException(e));
    }
    this.channel = NettyChannelBuilder.forAddress(options.host(), options.port(), creds)
        .maxInboundMessageSize(options.maxInboundMessageBytes())
        .initialFlowControlWindow(options.flowControlWindowBytes())
        .disableRetry() // no message replay buffers: pushes encode chunks into one reused array
        .build();
    Channel ch = ClientInterceptors.intercept(channel,
        MetadataUtils.newAttachHeadersInterceptor(RpcHeaders.credentials(options.jobId(), options.token())));
    this.blocking = ParameterServerGrpc.newBlockingStub(ch);
    this.async = ParameterServerGrpc.newStub(ch).withOnReadyThreshold(2 * options.chunkBytes());
  }

  public ClientOptions options() {
    return options;
  }

  private ParameterServerGrpc.ParameterServerBlockingStub stub() {
    return blocking.withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private ParameterServerGrpc.ParameterServerStub asyncStub() {
    return async.withDeadlineAfter(options.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A call of a chunk-carrying method, with the stub's credentials, deadline and on-ready threshold. */
  private <Q, R> io.grpc.ClientCall<Q, R> newCall(io.grpc.MethodDescriptor<Q, R> method) {
    ParameterServerGrpc.ParameterServerStub s = asyncStub();
    return s.getChannel().newCall(method, s.getCallOptions());
  }

  private static <T> T unary(String call, Supplier<T> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw StatusMapping.fromGrpc(e, call);
    }
  }

  @Override
  public Registration register(String workerId) {
    return unary("Register", () -> ProtoMapping.fromProto(
        stub().register(RegisterRequest.newBuilder().setWorkerId(workerId).build())));
  }

  /** The tensor channel for pushes, pulls and waits, or null for gRPC streams (see {@link TensorChannelRoute}). */
  private TensorChannelClient tensorChannel() {
    return route.channel(() -> stub().tensorChannel(TensorChannelRequest.getDefaultInstance()).getPort());
  }

  /** Whether pushes and pulls currently go over the tensor channel (decided on the first of them). */
  public boolean usesTensorChannel() {
    return route.inUse();
  }

  @Override
  public VersionedTensors pull() {
    TensorChannelClient tc = tensorChannel();
    if (tc != null) {
      return tc.pull();
    }
    CompletableFuture<VersionedTensors> f = new CompletableFuture<>();
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<PullRequest>[] call = new ClientCallStreamObserver[1];
    io.grpc.stub.ClientCalls.asyncServerStreamingCall(newCall(ChunkMethods.PULL), PullRequest.getDefaultInstance(),
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
    return await(f, call[0], "Pull");
  }

  @Override
  public PushAck pushGradients(String workerId, long step, Map<String, FloatTensor> gradSums, double lossSum,
      long tokens) {
    return push(UpdateKind.GRADIENT_SUMS, workerId, step, gradSums, lossSum, tokens);
  }

  @Override
  public PushAck pushDeltas(String workerId, long round, Map<String, FloatTensor> deltas, double lossSum,
      long tokens) {
    return push(UpdateKind.WEIGHT_DELTAS, workerId, round, deltas, lossSum, tokens);
  }

  private PushAck push(UpdateKind kind, String workerId, long step, Map<String, FloatTensor> tensors, double lossSum,
      long tokens) {
    TensorChannelClient tc = tensorChannel();
    if (tc != null) {
      return tc.push(kind == UpdateKind.WEIGHT_DELTAS ? org.lorafleet.ps.api.UpdateKind.WEIGHT_DELTAS
          : org.lorafleet.ps.api.UpdateKind.GRADIENT_SUMS, workerId, step, tensors, lossSum, tokens);
    }
    PushMessage header = PushMessage.newBuilder().setHeader(PushHeader.newBuilder().setWorkerId(workerId)
        .setKind(kind).setStep(step).setLossSum(lossSum).setTokens(tokens)).build();
    Iterator<org.lorafleet.ps.rpc.proto.TensorChunk> chunks =
        TensorCodec.chunks(tensors, options.chunkBytes(), ArrayKind.WEIGHT, true);
    Iterator<PushMessage> items = new Iterator<>() {
      boolean headerSent;

      @Override
      public boolean hasNext() {
        return !headerSent || chunks.hasNext();
      }

      @Override
      public PushMessage next() {
        if (!headerSent) {
          headerSent = true;
          return header;
        }
        return PushMessage.newBuilder().setChunk(chunks.next()).build();
      }
    };
    PushReply r = sendStream("Push",
        obs -> io.grpc.stub.ClientCalls.asyncClientStreamingCall(newCall(ChunkMethods.PUSH), obs), items);
    return new PushAck(r.getStep(), r.getDuplicate(), r.getApplied(), r.getVersion(), r.getPendingWorkers());
  }

  @Override
  public VersionStatus awaitVersion(String workerId, long minVersion, Duration timeout) {
    TensorChannelClient tc = tensorChannel();
    if (tc != null) {
      return tc.awaitVersion(workerId, minVersion, timeout);
    }
    long ms = Math.max(0, timeout.toMillis());
    AwaitRequest req = AwaitRequest.newBuilder().setWorkerId(workerId == null ? "" : workerId)
        .setMinVersion(minVersion).setTimeoutMillis(ms).build();
    // The server answers by its own timeout; the deadline only guards against a lost server.
    return unary("AwaitVersion", () -> ProtoMapping.fromProto(
        blocking.withDeadlineAfter(ms + options.callTimeout().toMillis(), TimeUnit.MILLISECONDS).awaitVersion(req)));
  }

  @Override
  public VersionedTensors pullAtLeast(String workerId, long minVersion, Duration timeout) {
    TensorChannelClient tc = tensorChannel();
    if (tc != null) {
      return tc.pullAtLeast(workerId, minVersion, timeout);
    }
    return ParameterServerClient.super.pullAtLeast(workerId, minVersion, timeout);
  }

  @Override
  public HeartbeatReply heartbeat(String workerId) {
    return unary("Heartbeat", () -> {
      var r = stub().heartbeat(HeartbeatRequest.newBuilder().setWorkerId(workerId).build());
      return new HeartbeatReply(r.getVersion(), r.getPendingWorkers());
    });
  }

  @Override
  public List<StepOutcome> outcomes(long fromStep) {
    return unary("Outcomes", () -> {
      List<StepOutcome> out = new ArrayList<>();
      stub().outcomes(OutcomesRequest.newBuilder().setFromStep(fromStep).build()).getOutcomesList()
          .forEach(o -> out.add(ProtoMapping.fromProto(o)));
      return out;
    });
  }

  @Override
  public ServerSnapshot snapshot() {
    CompletableFuture<ServerSnapshot> f = new CompletableFuture<>();
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<SnapshotRequest>[] call = new ClientCallStreamObserver[1];
    io.grpc.stub.ClientCalls.asyncServerStreamingCall(newCall(ChunkMethods.SNAPSHOT),
        SnapshotRequest.getDefaultInstance(),
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
    return await(f, call[0], "Snapshot");
  }

  @Override
  public void restore(ServerSnapshot snapshot) {
    RestoreReply r = sendStream("Restore",
        obs -> io.grpc.stub.ClientCalls.asyncClientStreamingCall(newCall(ChunkMethods.RESTORE), obs),
        SnapshotMapping.messages(snapshot, options.chunkBytes()));
    if (r.getVersion() != snapshot.version()) {
      throw new PsException(Refusal.TRANSPORT, "The server restored version " + r.getVersion() + " instead of "
          + snapshot.version() + ".");
    }
  }

  @Override
  public PsMetrics metrics() {
    return unary("Metrics", () -> ProtoMapping.fromProto(stub().metrics(MetricsRequest.getDefaultInstance())));
  }

  /** Closes the channel; waits up to 5 s for calls in flight. */
  @Override
  public void close() {
    route.close();
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Sends a client stream with flow control (waits while the transport is not ready); blocks for the reply. */
  private <Q, R> R sendStream(String callName, Function<StreamObserver<R>, StreamObserver<Q>> start,
      Iterator<Q> items) {
    CompletableFuture<R> result = new CompletableFuture<>();
    Object ready = new Object();
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<Q>[] call = new ClientCallStreamObserver[1];
    StreamObserver<Q> out = start.apply(new ClientResponseObserver<Q, R>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<Q> c) {
        call[0] = c;
        c.setOnReadyHandler(() -> {
          synchronized (ready) {
            ready.notifyAll();
          }
        });
      }

      @Override
      public void onNext(R value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(StatusMapping.fromGrpc(t, callName));
        synchronized (ready) {
          ready.notifyAll();
        }
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new PsException(Refusal.TRANSPORT, "The " + callName
            + " call ended without a reply."));
      }
    });
    try {
      while (items.hasNext() && !result.isDone()) {
        synchronized (ready) {
          while (!call[0].isReady() && !result.isDone()) {
            ready.wait(1000);
          }
        }
        if (!result.isDone()) {
          out.onNext(items.next());
        }
      }
      if (!result.isDone()) {
        out.onCompleted();
      }
    } catch (InterruptedException e) {
      call[0].cancel("The client thread was interrupted.", e);
      Thread.currentThread().interrupt();
      throw new PsException(Refusal.INTERRUPTED, "Interrupted during the " + callName + " call.");
    } catch (RuntimeException e) {
      call[0].cancel("The client failed while sending.", e);
      throw e;
    }
    return await(result, call[0], callName);
  }

  private static <T> T await(CompletableFuture<T> f, ClientCallStreamObserver<?> call, String callName) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      call.cancel("The client thread was interrupted.", e);
      Thread.currentThread().interrupt();
      throw new PsException(Refusal.INTERRUPTED, "Interrupted during the " + callName + " call.");
    } catch (ExecutionException e) {
      throw StatusMapping.fromGrpc(e.getCause(), callName);
    }
  }
}
