package org.lorafleet.ps.tensorchannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.auth.JobTokens;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.rpc.ServerOptions;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;

/** The tensor channel on loopback: same results as gRPC streams, authentication, refusals, dropped clients. */
@Timeout(120) // a framing bug shows up as a read that never returns
class TensorChannelTest {

  private final Map<String, FloatTensor> init = Fixtures.faultTestAdapter();

  private Map<String, FloatTensor> grad(long seed) {
    return Fixtures.randomLike(init, seed);
  }

  private static long payloadBytes(Map<String, FloatTensor> m) {
    return m.values().stream().mapToLong(t -> 4L * t.size()).sum();
  }

  /** Three sync steps of two workers; returns the final weights and checks the channel carried them. */
  private Map<String, FloatTensor> threeSteps(boolean tensorChannel) {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient a = h.client(h.clientOptions().withTensorChannel(tensorChannel));
      GrpcClient b = h.client(h.clientOptions().withTensorChannel(tensorChannel));
      a.register("a");
      b.register("b");
      for (int s = 0; s < 3; s++) {
        assertEquals(s, a.pull().version());
        assertFalse(a.pushGradients("a", s, grad(10 + s), 2, 3).applied());
        assertTrue(b.pushGradients("b", s, grad(20 + s), 4, 5).applied());
      }
      var v = b.pull();
      assertEquals(3, v.version());
      assertEquals(2, v.lastOutcome().step());
      assertEquals((2.0 + 4.0) / 8, v.lastOutcome().meanLoss());
      assertEquals(tensorChannel, a.usesTensorChannel());
      assertEquals(tensorChannel, b.usesTensorChannel());
      assertEquals(6 * payloadBytes(init), h.core.metrics().bytesReceived());
      // The server counts a pull's bytes once its last write returned, which may be after the client read them.
      Fixtures.waitFor(() -> h.core.metrics().bytesSent() == 4 * payloadBytes(init));
      return v.tensors();
    }
  }

  @Test
  void pushesAndPullsGiveTheSameWeightsAsGrpcStreams() {
    Map<String, FloatTensor> overChannel = threeSteps(true);
    Map<String, FloatTensor> overGrpc = threeSteps(false);
    assertTrue(Fixtures.bitEqual(overGrpc, overChannel));
    assertFalse(Fixtures.bitEqual(init, overChannel));
  }

  @Test
  void pullAtLeastWaitsForTheVersionThenReturnsIt() throws Exception {
    for (boolean tensorChannel : new boolean[] {true, false}) {
      try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
        GrpcClient a = h.client(h.clientOptions().withTensorChannel(tensorChannel));
        GrpcClient b = h.client(h.clientOptions().withTensorChannel(tensorChannel));
        a.register("a");
        b.register("b");
        assertFalse(a.pushGradients("a", 0, grad(1), 2, 3).applied());
        var next = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> a.pullAtLeast("a", 1, Duration.ofSeconds(20)));
        Thread.sleep(100);
        assertFalse(next.isDone(), "version 1 needs b's push");
        assertTrue(b.pushGradients("b", 0, grad(2), 4, 5).applied());
        var v = next.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, v.version());
        assertEquals(0, v.lastOutcome().step());
        assertTrue(Fixtures.bitEqual(b.pull().tensors(), v.tensors()));
        assertEquals(tensorChannel, a.usesTensorChannel());
        PsException late = assertThrows(PsException.class, () -> a.pullAtLeast("a", 5, Duration.ofMillis(50)));
        assertEquals(Refusal.AWAIT_TIMEOUT, late.reason());
        assertEquals(PsStatus.DEADLINE_EXCEEDED, late.status());
        assertEquals(1, a.pullAtLeast("a", 1, Duration.ofMillis(50)).version(), "the channel is still usable");
      }
    }
  }

  @Test
  void handshakeNeedsAProofMadeWithTheJobsToken() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      int port = h.server.tensorChannelPort();
      assertTrue(port > 0);
      PsException wrong = assertThrows(PsException.class, () -> TensorChannelClient.connect("127.0.0.1", port,
          Fixtures.JOB, "not-the-token", Duration.ofSeconds(10)));
      assertEquals(PsStatus.UNAUTHENTICATED, wrong.status());
      assertEquals("The tensor-channel handshake's proof is wrong (not made with this job's token).",
          wrong.getMessage());
      PsException none = assertThrows(PsException.class, () -> TensorChannelClient.connect("127.0.0.1", port,
          Fixtures.JOB, "", Duration.ofSeconds(10)));
      assertEquals(Refusal.UNAUTHENTICATED, none.reason());
      // The raw secret is not a token: a client that sends it as one is refused too.
      assertEquals(Refusal.UNAUTHENTICATED, assertThrows(PsException.class, () -> TensorChannelClient.connect(
          "127.0.0.1", port, Fixtures.JOB, Fixtures.SECRET, Duration.ofSeconds(10))).reason());
      PsException job = assertThrows(PsException.class, () -> TensorChannelClient.connect("127.0.0.1", port,
          "another-job", Fixtures.WORKER_TOKEN, Duration.ofSeconds(10)));
      assertEquals(Refusal.UNAUTHENTICATED, job.reason());
      assertTrue(job.getMessage().contains("names job 'another-job'"), job.getMessage());
      assertEquals(4, h.core.metrics().refused(Refusal.UNAUTHENTICATED));
      assertEquals(0, h.core.metrics().pulls());
      assertEquals(0, h.core.metrics().registeredWorkers());
      TensorChannelClient.connect("127.0.0.1", port, Fixtures.JOB, Fixtures.WORKER_TOKEN, Duration.ofSeconds(10))
          .close();
    }
  }

  @Test
  void aFloodOfIdleConnectionsCostsBoundedMemoryAndTrainingGoesOn() throws Exception {
    java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
        .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      int port = h.server.tensorChannelPort();
      GrpcClient c = h.client();
      c.register("w");
      assertEquals(0, c.pull().version()); // the worker's channel and its buffers exist before the flood
      assertTrue(c.usesTensorChannel());
      long before = direct.getMemoryUsed();
      java.util.List<SocketChannel> flood = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < 400; i++) { // connect and say nothing (1,100 such grew the driver by 2.5 GiB before)
          flood.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
        }
        long grown = direct.getMemoryUsed() - before;
        // The client sockets in this JVM take no direct buffers; the server gave none to unadmitted callers.
        assertTrue(grown < (8L << 20), "direct memory grew by " + grown + " bytes");
        // Training goes on during the flood: a step through the same channel.
        assertTrue(c.pushGradients("w", 0, grad(7), 2, 3).applied());
        assertEquals(1, c.pull().version());
        // Every idle connection is cut by the server: refused at once, or after its 2 s handshake time.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        int cut = 0;
        for (SocketChannel f : flood) {
          f.socket().setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
          try {
            if (f.socket().getInputStream().read() < 0) {
              cut++;
            }
          } catch (IOException e) {
            cut++; // reset by the server counts as cut
          }
        }
        assertEquals(flood.size(), cut);
        assertTrue(direct.getMemoryUsed() - before < (8L << 20));
      } finally {
        for (SocketChannel f : flood) {
          f.close();
        }
      }
      assertEquals(1, c.pull().version());
    }
  }

  @Test
  void garbageInsteadOfAHandshakeIsCutOff() throws Exception {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build());
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", h.server.tensorChannelPort()))) {
      Wire.Out out = new Wire.Out(ch);
      out.writeInt(0x47455420).writeLong(42); // "GET " …
      out.flush();
      assertThrows(EOFException.class, () -> new Wire.In(ch).readByte());
      assertEquals(0, h.core.metrics().pulls());
      assertTrue(Fixtures.bitEqual(init, h.core.published().tensors()));
    }
  }

  /** A raw authenticated connection, to send what a well-behaved client never would. */
  private static SocketChannel rawConnection(GrpcHarness h) throws IOException {
    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", h.server.tensorChannelPort()));
    Wire.Out out = new Wire.Out(ch);
    Wire.In in = new Wire.In(ch);
    out.writeInt(Wire.MAGIC).writeInt(Wire.VERSION).writeString(Fixtures.JOB);
    out.flush();
    Messages.readStatus(in);
    byte[] nonce = new byte[JobTokens.NONCE_BYTES];
    in.readBytes(nonce);
    out.writeBytes(java.nio.ByteBuffer.wrap(JobTokens.proof(Fixtures.WORKER_TOKEN, Fixtures.JOB, nonce)));
    out.flush();
    Messages.readStatus(in);
    return ch;
  }

  private static void writePushHeader(Wire.Out out, String worker, Map<String, long[]> shapes) throws IOException {
    out.writeByte(Wire.OP_PUSH).writeByte(0).writeLong(0).writeDouble(1).writeLong(2).writeString(worker);
    out.writeInt(shapes.size());
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      out.writeString(e.getKey()).writeInt(e.getValue().length);
      for (long d : e.getValue()) {
        out.writeLong(d);
      }
    }
  }

  @Test
  void aHeaderDeclaringAnOversizedTensorIsRefusedBeforeItsPayload() throws Exception {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      h.client().register("w");
      try (SocketChannel ch = rawConnection(h)) {
        Wire.Out out = new Wire.Out(ch);
        // 4 GB declared for a 400 KB tensor: refused from the header, payload never read, connection closed.
        writePushHeader(out, "w", Map.of("t.lora_A.weight", new long[] {1 << 20, 1 << 10}));
        out.flush();
        Wire.In in = new Wire.In(ch);
        PsException e = assertThrows(PsException.class, () -> Messages.readStatus(in));
        assertEquals(Refusal.WRONG_SHAPE, e.reason());
        assertEquals("The push of worker 'w' sends tensor 't.lora_A.weight' with shape [1048576, 1024]; the job "
            + "has it as [4, 25000].", e.getMessage());
        assertThrows(EOFException.class, in::readByte);
      }
      assertEquals(1, h.core.metrics().refused(Refusal.WRONG_SHAPE));
      assertEquals(0, h.core.metrics().pushesAccepted());
      assertTrue(Fixtures.bitEqual(init, h.core.published().tensors()));
    }
  }

  @Test
  void refusedHeadersAreDrainedSoTheConnectionStaysUsable() throws Exception {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      h.client().register("w");
      try (SocketChannel ch = rawConnection(h)) {
        Wire.Out out = new Wire.Out(ch);
        Wire.In in = new Wire.In(ch);
        // An unregistered worker: refused by admission after the payload was read and dropped.
        writePushHeader(out, "stranger", Map.of("t.lora_B.weight", new long[] {50, 4}));
        out.writeFloats(new float[200]);
        out.flush();
        PsException e = assertThrows(PsException.class, () -> Messages.readStatus(in));
        assertEquals(Refusal.NOT_REGISTERED, e.reason());
        // The same connection then serves a pull.
        out.writeByte(Wire.OP_PULL);
        out.flush();
        Messages.readStatus(in);
        assertEquals(0, in.readLong());
      }
      assertEquals(0, h.core.metrics().pushesAccepted());
    }
  }

  @Test
  void clientDroppedMidPushLeavesNothingBehind() throws Exception {
    Map<String, FloatTensor> clean;
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient c = h.client();
      c.register("a");
      c.register("b");
      c.pushGradients("a", 0, grad(1), 2, 3);
      c.pushGradients("b", 0, grad(2), 4, 5);
      clean = c.pull().tensors();
    }
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient c = h.client();
      c.register("a");
      c.register("b");
      try (SocketChannel ch = rawConnection(h)) {
        Wire.Out out = new Wire.Out(ch);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        init.forEach((k, t) -> shapes.put(k, t.shape()));
        writePushHeader(out, "a", shapes);
        out.writeFloats(new float[60_000]); // 240 KB of the 400.8 KB payload, then the worker dies
        out.flush();
      }
      Fixtures.waitFor(() -> h.core.metrics().pushesCancelled() == 1);
      assertEquals(0, h.core.metrics().pushesAccepted());
      assertTrue(h.core.pendingWorkers().isEmpty());
      assertFalse(c.pushGradients("a", 0, grad(1), 2, 3).applied());
      assertTrue(c.pushGradients("b", 0, grad(2), 4, 5).applied());
      assertTrue(c.usesTensorChannel());
      assertTrue(Fixtures.bitEqual(clean, c.pull().tensors()));
    }
  }

  @Test
  void aServerWithoutTheChannelKeepsClientsOnGrpc() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build(),
        ServerOptions.loopback().withTensorChannelPort(-1))) {
      assertEquals(0, h.server.tensorChannelPort());
      GrpcClient c = h.client();
      c.register("w");
      assertTrue(c.pushGradients("w", 0, grad(5), 1, 2).applied());
      assertEquals(1, c.pull().version());
      assertFalse(c.usesTensorChannel());
    }
  }

  @Test
  void aServerKilledMidCallFailsTheCallAsUnavailable() {
    GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build());
    try {
      TensorChannelClient tc = TensorChannelClient.connect("127.0.0.1", h.server.tensorChannelPort(), Fixtures.JOB,
          Fixtures.WORKER_TOKEN, Duration.ofSeconds(10));
      assertEquals(0, tc.pull().version());
      h.server.kill();
      PsException e = assertThrows(PsException.class, () -> tc.push(UpdateKind.GRADIENT_SUMS, "w", 0, grad(6), 1, 2));
      assertEquals(PsStatus.UNAVAILABLE, e.status());
      assertEquals(Refusal.TRANSPORT, e.reason());
      assertTrue(e.getMessage().startsWith("The tensor channel to the parameter server at "), e.getMessage());
      tc.close();
    } finally {
      h.close();
    }
  }

}
