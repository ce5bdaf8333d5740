package org.lorafleet.ps.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.rpc.proto.ParameterServerGrpc;
import org.lorafleet.ps.rpc.proto.RegisterRequest;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;
import org.lorafleet.ps.testing.LeastSquares;
import org.lorafleet.ps.testing.RecordingRelay;
import org.lorafleet.ps.testing.SelfSignedCert;

/** Authentication, TLS and binding. */
class GrpcSecurityTest {

  private final LeastSquares problem = new LeastSquares(3, 2, 2);
  private final Map<String, FloatTensor> init = problem.initialWeights(1);

  private void assertUntouched(GrpcHarness h) {
    assertEquals(0, h.core.status().version());
    assertTrue(h.core.pendingWorkers().isEmpty());
    assertEquals(0, h.core.metrics().registeredWorkers());
    assertEquals(0, h.core.metrics().pushesAccepted());
    assertEquals(0, h.core.metrics().pulls());
    assertTrue(Fixtures.bitEqual(init, h.core.published().tensors()));
  }

  @Test
  void callWithoutTokenIsUnauthenticated() throws Exception {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", h.server.port()).usePlaintext().build();
      try {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ParameterServerGrpc
            .newBlockingStub(ch).register(RegisterRequest.newBuilder().setWorkerId("w").build()));
        assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("The call carries no job token; send the job's worker token as call metadata.",
            e.getStatus().getDescription());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertEquals(1, h.core.metrics().refused(Refusal.UNAUTHENTICATED));
      assertUntouched(h);
    }
  }

  @Test
  void wrongTokenIsUnauthenticatedForEveryCall() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      GrpcClient good = h.client();
      GrpcClient bad = h.client(h.clientOptions().withToken("not-the-token-at-all"));
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 2));
      for (Runnable call : new Runnable[] {() -> bad.register("w"), bad::pull, bad::snapshot,
          () -> bad.pushGradients("w", 0, g.sums(), 1, 2), () -> bad.restore(h.core.snapshot()), bad::metrics}) {
        PsException e = assertThrows(PsException.class, call::run);
        assertEquals(PsStatus.UNAUTHENTICATED, e.status());
        assertEquals(Refusal.UNAUTHENTICATED, e.reason());
        assertEquals("The job token is wrong.", e.getMessage());
      }
      // 6 calls, and pull and push each first asked where the tensor channel listens: refused too.
      assertEquals(8, good.metrics().refused(Refusal.UNAUTHENTICATED));
      assertFalse(bad.usesTensorChannel());
      assertUntouched(h);
    }
  }

  @Test
  void wrongJobIdIsNotFound() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      GrpcClient other = h.client(h.clientOptions().withJobId("another-job"));
      PsException e = assertThrows(PsException.class, () -> other.register("w"));
      assertEquals(PsStatus.NOT_FOUND, e.status());
      assertEquals(Refusal.WRONG_JOB, e.reason());
      assertEquals("This parameter server runs job 'job-test', not 'another-job'.", e.getMessage());
      assertEquals(1, h.core.metrics().refused(Refusal.WRONG_JOB));
      assertUntouched(h);
    }
  }

  @Test
  void tlsWithASelfSignedCertificate(@TempDir Path dir) throws Exception {
    SelfSignedCert cert = SelfSignedCert.create(dir);
    ServerOptions tls = ServerOptions.loopback().withTls(cert.certPem(), cert.keyPem());
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build(), tls)) {
      GrpcClient c = h.client(h.clientOptions().withTrust(cert.certPem()));
      c.register("w");
      LeastSquares.Grad g = problem.gradient(c.pull().tensors(), problem.samples(1, 2));
      assertTrue(c.pushGradients("w", 0, g.sums(), g.lossSum(), g.tokens()).applied());
      assertEquals(1, c.pull().version());
      // The tensor channel has no TLS, so a TLS server does not offer it: all traffic stays encrypted.
      assertEquals(0, h.server.tensorChannelPort());
      assertFalse(c.usesTensorChannel());
      // A plaintext client cannot talk to the TLS server.
      GrpcClient plain = h.client(h.clientOptions());
      PsException e = assertThrows(PsException.class, () -> plain.register("x"));
      assertEquals(PsStatus.UNAVAILABLE, e.status());
      // Nor can a TLS client that trusts another certificate.
      SelfSignedCert other = SelfSignedCert.create(java.nio.file.Files.createDirectory(dir.resolve("other")));
      GrpcClient wrongTrust = h.client(h.clientOptions().withTrust(other.certPem()));
      assertEquals(PsStatus.UNAVAILABLE, assertThrows(PsException.class, () -> wrongTrust.register("y")).status());
      assertEquals(1, h.core.metrics().registeredWorkers());
    }
  }

  @Test
  void theJobSecretItselfIsNotAToken() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      GrpcClient raw = h.client(h.clientOptions().withToken(Fixtures.SECRET));
      assertEquals(Refusal.UNAUTHENTICATED, assertThrows(PsException.class, () -> raw.register("w")).reason());
      assertUntouched(h);
    }
  }

  @Test
  void aWorkerTokenCannotSnapshotOrRestore() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build(),
        ServerOptions.loopback().withAdminCalls(true))) {
      GrpcClient worker = h.client();
      GrpcClient admin = h.client(h.adminOptions());
      ServerSnapshot before = admin.snapshot();
      for (Runnable call : new Runnable[] {worker::snapshot, () -> worker.restore(before)}) {
        PsException e = assertThrows(PsException.class, call::run);
        assertEquals(PsStatus.PERMISSION_DENIED, e.status());
        assertEquals(Refusal.FORBIDDEN, e.reason());
        assertTrue(e.getMessage().endsWith("needs the job's admin token; a worker token may only make training calls."),
            e.getMessage());
      }
      assertEquals(2, h.core.metrics().refused(Refusal.FORBIDDEN));
      // The worker token still trains, and the admin token still restores.
      worker.register("w");
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 2));
      assertTrue(worker.pushGradients("w", 0, g.sums(), g.lossSum(), g.tokens()).applied());
      admin.restore(before);
      assertEquals(0, h.core.status().version());
      assertTrue(Fixtures.bitEqual(init, h.core.published().tensors()));
    }
  }

  @Test
  void adminCallsAreOffUnlessTheServerAllowsThem() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      GrpcClient admin = h.client(h.adminOptions());
      PsException e = assertThrows(PsException.class, () -> admin.restore(h.core.snapshot()));
      assertEquals(Refusal.FORBIDDEN, e.reason());
      assertEquals("Restore is an admin call, and this parameter server serves none over the network (the process "
          + "that hosts it takes snapshots and restores in process).", e.getMessage());
      assertEquals(Refusal.FORBIDDEN, assertThrows(PsException.class, admin::snapshot).reason());
      admin.register("w"); // the admin token admits training calls
      assertEquals(1, h.core.metrics().registeredWorkers());
    }
  }

  @Test
  void anEavesdropperSeesNeitherTheSecretNorAReplayableHandshake() throws Exception {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build());
        RecordingRelay relay = new RecordingRelay(h.server.tensorChannelPort())) {
      try (org.lorafleet.ps.tensorchannel.TensorChannelClient c = org.lorafleet.ps.tensorchannel.TensorChannelClient
          .connect("127.0.0.1", relay.port(), Fixtures.JOB, Fixtures.WORKER_TOKEN, java.time.Duration.ofSeconds(10))) {
        h.client().register("w");
        assertEquals(0, c.pull().version());
      }
      String wire = relay.seen();
      assertTrue(wire.contains(Fixtures.JOB), "the relay saw the handshake");
      assertFalse(wire.contains(Fixtures.SECRET));
      assertFalse(wire.contains(Fixtures.WORKER_TOKEN));
      assertFalse(wire.contains(Fixtures.ADMIN_TOKEN));
      // Replaying what the client sent gets a new nonce, so the recorded proof no longer fits.
      byte[] recorded = relay.fromClients();
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.server.tensorChannelPort())) {
        s.getOutputStream().write(recorded);
        s.getOutputStream().flush();
        s.setSoTimeout(10_000);
        byte[] reply = s.getInputStream().readAllBytes();
        String text = new String(reply, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("UNAUTHENTICATED"), "the replayed handshake was refused");
      }
      assertEquals(1, h.core.metrics().refused(Refusal.UNAUTHENTICATED));
    }
  }

  @Test
  void bindsTheConfiguredAddressAndReportsTheEphemeralPort() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      int port = h.server.port();
      assertTrue(port > 0);
      assertEquals("127.0.0.1", h.server.bindAddress());
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new GrpcHarness(
          Fixtures.sync(init, 1).build(), ServerOptions.loopback().withBind("127.0.0.1", port)));
      assertEquals("Cannot start the parameter server on 127.0.0.1:" + port + ".", e.getMessage());
    }
  }
}
