package org.lorafleet.ps.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.Registration;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.api.VersionedTensors;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.client.InProcessClient;
import org.lorafleet.ps.client.ParameterServerClient;
import org.lorafleet.ps.server.ParameterServerCore;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;
import org.lorafleet.ps.testing.LeastSquares;

/** The gRPC client against a real server on loopback: same results as in-process, large tensors, snapshots. */
class GrpcEndToEndTest {

  private final LeastSquares problem = new LeastSquares(6, 3, 5);
  private final Map<String, FloatTensor> init = problem.initialWeights(21);

  private Map<String, FloatTensor> train(ParameterServerClient a, ParameterServerClient b, int steps) {
    Registration r = a.register("a");
    assertEquals(UpdateMode.SYNC, r.mode());
    assertEquals(List.of(LeastSquares.A, LeastSquares.B, LeastSquares.BIAS),
        r.tensors().stream().map(org.lorafleet.ps.api.TensorSpec::name).toList());
    b.register("b");
    for (int s = 0; s < steps; s++) {
      VersionedTensors v = a.pull();
      assertEquals(s, v.version());
      LeastSquares.Grad ga = problem.gradient(v.tensors(), problem.samples(s, 4));
      LeastSquares.Grad gb = problem.gradient(b.pull().tensors(), problem.samples(500 + s, 6));
      a.pushGradients("a", s, ga.sums(), ga.lossSum(), ga.tokens());
      b.pushGradients("b", s, gb.sums(), gb.lossSum(), gb.tokens());
      VersionStatus st = a.awaitVersion("a", s + 1, Duration.ofSeconds(10));
      assertEquals(s, st.lastOutcome().step());
      assertEquals((ga.lossSum() + gb.lossSum()) / 10, st.lastOutcome().meanLoss(), 1e-12);
    }
    return a.pull().tensors();
  }

  @Test
  void grpcAndInProcessGiveBitIdenticalTraining() {
    Map<String, FloatTensor> viaGrpc;
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build())) {
      GrpcClient a = h.client();
      GrpcClient b = h.client();
      viaGrpc = train(a, b, 10);
      List<StepOutcome> outcomes = a.outcomes(7);
      assertEquals(List.of(7L, 8L, 9L), outcomes.stream().map(StepOutcome::step).toList());
      assertEquals(10, a.heartbeat("b").version());
      var m = b.metrics();
      assertEquals(10, m.stepsApplied());
      assertEquals(20, m.pushesAccepted());
      assertEquals(2, m.registeredWorkers());
      assertTrue(m.bytesReceived() > 0 && m.bytesSent() > 0);
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), h.core.appliedSteps());
    }
    Map<String, FloatTensor> inProcess;
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      inProcess = train(c, c, 10);
    }
    assertTrue(Fixtures.bitEqual(inProcess, viaGrpc));
  }

  @Test
  void refusalsCarryTheSameStatusReasonAndMessageAsInProcess() {
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 1).build())) {
      GrpcClient c = h.client();
      c.register("a");
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 2));
      PsException remote = assertThrows(PsException.class, () -> c.pushGradients("a", 3, g.sums(), 1, 2));
      InProcessClient local = new InProcessClient(h.core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      PsException direct = assertThrows(PsException.class, () -> local.pushGradients("a", 3, g.sums(), 1, 2));
      assertEquals(PsStatus.FAILED_PRECONDITION, remote.status());
      assertEquals(Refusal.FUTURE_STEP, remote.reason());
      assertEquals(direct.getMessage(), remote.getMessage());
      assertEquals(2, h.core.metrics().refused(Refusal.FUTURE_STEP)); // counted once per call
      PsException timeout = assertThrows(PsException.class, () -> c.awaitVersion("a", 1, Duration.ofMillis(30)));
      assertEquals(PsStatus.DEADLINE_EXCEEDED, timeout.status());
      assertEquals(Refusal.AWAIT_TIMEOUT, timeout.reason());
    }
  }

  @Test
  void adaptersFarAboveFourMegabytesTravelBitExactly() {
    // 3 tensors, 7.5 M floats = 30 MB: in chunks far below gRPC's 4 MB default message size on gRPC
    // streams, as one header and raw payload on the tensor channel.
    for (boolean tensorChannel : new boolean[] {false, true}) {
      bigAdapterRoundTrip(tensorChannel);
    }
  }

  private void bigAdapterRoundTrip(boolean tensorChannel) {
    SplittableRandom r = new SplittableRandom(9);
    Map<String, FloatTensor> big = new LinkedHashMap<>();
    big.put("x.lora_A.weight", LeastSquares.random(r, 1, 8, 250_000));
    big.put("x.lora_B.weight", LeastSquares.random(r, 1, 2_500_000, 2));
    big.put("x.bias", LeastSquares.random(r, 1, 500_001));
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(big, 1).maxGradNorm(0).build())) {
      GrpcClient c = h.client(h.clientOptions().withTensorChannel(tensorChannel));
      c.register("w");
      VersionedTensors v0 = c.pull();
      assertEquals(tensorChannel, c.usesTensorChannel());
      assertTrue(Fixtures.bitEqual(big, v0.tensors()));
      Map<String, FloatTensor> grad = new LinkedHashMap<>();
      big.forEach((k, t) -> grad.put(k, LeastSquares.random(r, 3, t.shape())));
      assertTrue(c.pushGradients("w", 0, grad, 12.5, 5).applied());
      VersionedTensors v1 = c.pull();
      assertEquals(1, v1.version());
      assertTrue(Fixtures.bitEqual(h.core.published().tensors(), v1.tensors()));
      // The server applied exactly the pushed gradient: redo it locally.
      Map<String, FloatTensor> expected = LeastSquares.copy(big);
      org.lorafleet.math.optim.MeanGradientStep.apply(new org.lorafleet.math.optim.AdamW(h.core.config().adamW()),
          expected, grad, 5, h.core.config().lrSchedule().lr(0), 0);
      assertTrue(Fixtures.bitEqual(expected, v1.tensors()));
      assertEquals(2.5, v1.lastOutcome().meanLoss());
      assertEquals(30_000_004L, h.core.metrics().bytesReceived());
    }
  }

  @Test
  void snapshotAndRestoreOverGrpcAreLossless() {
    ServerOptions admin = ServerOptions.loopback().withAdminCalls(true);
    try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, 2).build(), admin);
        GrpcHarness fresh = new GrpcHarness(Fixtures.sync(init, 2).build(), admin)) {
      GrpcClient a = h.client();
      GrpcClient b = h.client();
      train(a, b, 4);
      ServerSnapshot remote = h.client(h.adminOptions()).snapshot();
      ServerSnapshot local = h.core.snapshot();
      assertEquals(local.version(), remote.version());
      assertEquals(local.workers(), remote.workers());
      assertEquals(local.lastOutcome(), remote.lastOutcome());
      assertTrue(Fixtures.bitEqual(local.weights(), remote.weights()));
      assertEquals(local.optimizer().step(), remote.optimizer().step());
      for (String k : local.optimizer().firstMoment().keySet()) {
        assertArrayEquals(local.optimizer().firstMoment().get(k), remote.optimizer().firstMoment().get(k));
        assertArrayEquals(local.optimizer().secondMoment().get(k), remote.optimizer().secondMoment().get(k));
      }
      GrpcClient other = fresh.client(fresh.adminOptions());
      other.restore(remote);
      assertEquals(4, other.status().version());
      ServerSnapshot back = fresh.core.snapshot();
      assertTrue(Fixtures.bitEqual(local.weights(), back.weights()));
      assertEquals(local.workers(), back.workers());
    }
  }
}
