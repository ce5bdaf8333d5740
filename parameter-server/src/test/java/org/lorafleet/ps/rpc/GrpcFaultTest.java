package org.lorafleet.ps.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.rpc.proto.ArrayKind;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.rpc.proto.PushHeader;
import org.lorafleet.ps.rpc.proto.PushMessage;
import org.lorafleet.ps.rpc.proto.PushReply;
import org.lorafleet.ps.rpc.proto.TensorChunk;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;

/** Faults over real gRPC: each with its expected status and untouched state. */
class GrpcFaultTest {

  private final Map<String, FloatTensor> init = Fixtures.faultTestAdapter();

  private Map<String, FloatTensor> grad(long seed) {
    return Fixtures.randomLike(init, seed);
  }

  /** Weights after one clean step of two workers pushing grad(1) and grad(2). */
  private Map<String, FloatTensor> cleanStep() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient c = h.client();
      c.register("a");
      c.register("b");
      c.pushGradients("a", 0, grad(1), 2, 3);
      c.pushGradients("b", 0, grad(2), 4, 5);
      return c.pull().tensors();
    }
  }

  private void assertUntouched(GrpcHarness h) {
    assertEquals(0, h.core.status().version());
    assertTrue(h.core.pendingWorkers().isEmpty());
    assertEquals(0, h.core.metrics().pushesAccepted());
    assertTrue(Fixtures.bitEqual(init, h.core.published().tensors()));
  }

  @Test
  void clientDroppedMidPushLeavesNothingBehind() throws Exception {
    Map<String, FloatTensor> expected = cleanStep();
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient c = h.client();
      c.register("a");
      c.register("b");
      // A raw client stream: the header and 2 of the 5 chunks of 'a''s push, then the worker dies.
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", h.server.port()).usePlaintext().build();
      try {
        var stub = ParameterServerGrpc.newStub(ch)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(RpcHeaders.credentials(Fixtures.JOB,
                Fixtures.WORKER_TOKEN)));
        StreamObserver<PushMessage> out = stub.push(new StreamObserver<PushReply>() {
          @Override
          public void onNext(PushReply value) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
        out.onNext(PushMessage.newBuilder().setHeader(PushHeader.newBuilder().setWorkerId("a").setStep(0)
            .setLossSum(2).setTokens(3)).build());
        Iterator<TensorChunk> chunks = TensorCodec.chunks(grad(1), 100_000, ArrayKind.WEIGHT);
        out.onNext(PushMessage.newBuilder().setChunk(chunks.next()).build());
        out.onNext(PushMessage.newBuilder().setChunk(chunks.next()).build());
        Fixtures.waitFor(() -> h.core.metrics().bytesReceived() == 200_000);
        out.onError(new RuntimeException("worker process died")); // cancels the call
        Fixtures.waitFor(() -> h.core.metrics().pushesCancelled() == 1);
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertUntouched(h);
      // The retried task pushes in full; the step applies exactly once, as in a clean run.
      assertFalse(c.pushGradients("a", 0, grad(1), 2, 3).applied());
      assertTrue(c.pushGradients("b", 0, grad(2), 4, 5).applied());
      assertTrue(Fixtures.bitEqual(expected, c.pull().tensors()));
    }
  }

  @Test
  void duplicatedPushCountsOnce() {
    Map<String, FloatTensor> expected = cleanStep();
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient c = h.client();
      c.register("a");
      c.register("b");
      c.pushGradients("a", 0, grad(1), 2, 3);
      var dup = c.pushGradients("a", 0, grad(1), 2, 3);
      assertTrue(dup.duplicate());
      assertEquals(1, dup.pendingWorkers());
      assertTrue(c.pushGradients("b", 0, grad(2), 4, 5).applied());
      PsException late = assertThrows(PsException.class, () -> c.pushGradients("b", 0, grad(2), 4, 5));
      assertEquals(Refusal.ALREADY_APPLIED, late.reason());
      assertEquals(PsStatus.FAILED_PRECONDITION, late.status());
      assertTrue(Fixtures.bitEqual(expected, c.pull().tensors()));
      assertEquals((2.0 + 4.0) / (3 + 5), c.status().lastOutcome().meanLoss());
      assertEquals(java.util.List.of(0L), h.core.appliedSteps());
    }
  }

  /** The same refusal over gRPC streams and over the tensor channel; afterwards a sound push applies. */
  private void assertPushRefused(PsStatus status, Refusal reason, String message,
      Consumer<Map<String, FloatTensor>> corrupt) {
    for (boolean tensorChannel : new boolean[] {false, true}) {
      try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
        GrpcClient c = h.client(h.clientOptions().withTensorChannel(tensorChannel));
        c.register("w");
        Map<String, FloatTensor> g = grad(3);
        corrupt.accept(g);
        PsException e = assertThrows(PsException.class, () -> c.pushGradients("w", 0, g, 1, 2));
        assertEquals(tensorChannel, c.usesTensorChannel());
        assertEquals(status, e.status());
        assertEquals(reason, e.reason());
        if (message != null) {
          assertEquals(message, e.getMessage());
        }
        assertEquals(1, h.core.metrics().refused(reason));
        assertUntouched(h);
        assertTrue(c.pushGradients("w", 0, grad(3), 1, 2).applied(), "transport still usable");
      }
    }
  }

  @Test
  void nanUpdateIsRefused() {
    assertPushRefused(PsStatus.INVALID_ARGUMENT, Refusal.NON_FINITE, "Worker 'w' pushed NaN at element 99999 of "
        + "tensor 't.lora_A.weight'; updates must be finite.", g -> g.get("t.lora_A.weight").data()[99_999] = Float.NaN);
  }

  @Test
  void wrongShapeIsRefusedAtTheFirstChunk() {
    assertPushRefused(PsStatus.INVALID_ARGUMENT, Refusal.WRONG_SHAPE, "The push of worker 'w' sends tensor "
        + "'t.lora_B.weight' with shape [4, 50]; the job has it as [50, 4].",
        g -> g.put("t.lora_B.weight", FloatTensor.zeros(4, 50)));
  }

  @Test
  void unknownTensorIsRefused() {
    assertPushRefused(PsStatus.INVALID_ARGUMENT, Refusal.UNKNOWN_TENSOR, "The push of worker 'w' names tensor "
        + "'t.other', which is not part of the job.", g -> g.put("t.other", FloatTensor.zeros(2)));
  }

  @Test
  void messageOverTheLimitIsResourceExhausted() {
    // Server limit 64 KiB; this client sends 256 KiB chunks over gRPC streams (the tensor channel has
    // no messages to limit: a push must match the job's shapes exactly, see TensorChannelTest).
    ServerOptions small = ServerOptions.loopback().withMaxInboundMessageBytes(64 << 10).withChunkBytes(32 << 10);
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build(), small)) {
      GrpcClient big = h.client(h.clientOptions().withChunkBytes(256 << 10).withTensorChannel(false));
      big.register("w");
      PsException e = assertThrows(PsException.class, () -> big.pushGradients("w", 0, grad(4), 1, 2));
      assertEquals(PsStatus.RESOURCE_EXHAUSTED, e.status());
      assertEquals(Refusal.OVERSIZED, e.reason());
      assertTrue(e.getMessage().contains("exceeds maximum size 65536"), e.getMessage());
      Fixtures.waitFor(() -> h.core.metrics().refused(Refusal.OVERSIZED) == 1);
      assertUntouched(h);
      // Within the limit the same push goes through (and a pull of 400 KB arrives in 32 KiB chunks).
      GrpcClient ok = h.client(h.clientOptions().withChunkBytes(16 << 10).withTensorChannel(false));
      assertTrue(ok.pushGradients("w", 0, grad(4), 1, 2).applied());
      assertEquals(1, ok.pull().version());
    }
  }

}
