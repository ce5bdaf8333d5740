package org.lorafleet.ps.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.lorafleet.ps.rpc.TensorCodec;
import org.lorafleet.ps.rpc.proto.ArrayKind;
import org.lorafleet.ps.rpc.proto.AwaitRequest;
import org.lorafleet.ps.rpc.proto.HeartbeatRequest;
import org.lorafleet.ps.rpc.proto.MetricsRequest;
import org.lorafleet.ps.rpc.proto.OutcomesRequest;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.rpc.proto.PushHeader;
import org.lorafleet.ps.rpc.proto.PushMessage;
import org.lorafleet.ps.rpc.proto.PushReply;
import org.lorafleet.ps.rpc.proto.RegisterRequest;
import org.lorafleet.ps.rpc.proto.RestoreReply;
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
    this.channel = GrpcChannels.open(options);
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
    return ChunkedDownloads.pull(newCall(ChunkMethods.PULL));
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
    PushReply r = StreamCalls.send("Push",
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
    return ChunkedDownloads.snapshot(newCall(ChunkMethods.SNAPSHOT));
  }

  @Override
  public void restore(ServerSnapshot snapshot) {
    RestoreReply r = StreamCalls.send("Restore",
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
}
