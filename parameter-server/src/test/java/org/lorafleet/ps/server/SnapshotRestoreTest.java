package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.client.InProcessClient;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.LeastSquares;

/** Snapshots are consistent cuts; restoring one continues bit-for-bit. */
class SnapshotRestoreTest {

  private final LeastSquares problem = new LeastSquares(4, 2, 3);
  private final Map<String, FloatTensor> init = problem.initialWeights(5);

  private void steps(InProcessClient c, long from, long to) {
    for (long s = from; s < to; s++) {
      Map<String, FloatTensor> w = c.pull().tensors();
      assertEquals(s, c.status().version());
      for (int k = 0; k < 2; k++) {
        LeastSquares.Grad g = problem.gradient(w, problem.samples(100 * s + k, 3 + k));
        c.pushGradients("w" + k, s, g.sums(), g.lossSum(), g.tokens());
      }
    }
  }

  @Test
  void restoreContinuesBitForBit() {
    Map<String, FloatTensor> uninterrupted;
    ServerSnapshot atSix;
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w0");
      c.register("w1");
      steps(c, 0, 6);
      atSix = c.snapshot();
      steps(c, 6, 12);
      uninterrupted = c.pull().tensors();
    }
    assertEquals(6, atSix.version());
    assertEquals(6, atSix.optimizer().step());
    assertEquals(5, atSix.workers().get("w1").lastAppliedStep());
    assertEquals(5, atSix.lastOutcome().step());
    // A fresh server restored from the snapshot (as after a crash), continuing the same steps.
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.restore(atSix);
      assertEquals(6, c.status().version());
      assertEquals(Refusal.REGISTRATION_STALE, assertThrows(PsException.class, () -> c.heartbeat("w0")).reason());
      c.register("w0");
      c.register("w1");
      steps(c, 6, 12);
      assertTrue(Fixtures.bitEqual(uninterrupted, c.pull().tensors()));
    }
    // The same from the job config's resume fields (weights + optimizer state + step).
    ServerJobSpec resumed = Fixtures.sync(atSix.weights(), 2).resume(atSix.optimizer(), atSix.version()).build();
    try (ParameterServerCore core = new ParameterServerCore(resumed)) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w0");
      c.register("w1");
      steps(c, 6, 12);
      assertTrue(Fixtures.bitEqual(uninterrupted, c.pull().tensors()));
    }
  }

  @Test
  void snapshotIsADeepCopyAndExcludesPendingPushes() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w0");
      c.register("w1");
      steps(c, 0, 2);
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 3));
      c.pushGradients("w0", 2, g.sums(), g.lossSum(), g.tokens()); // pending, not in the cut
      ServerSnapshot s = c.snapshot();
      assertEquals(2, s.version());
      assertEquals(2, s.workers().get("w0").lastPushedStep());
      assertEquals(1, s.workers().get("w0").lastAppliedStep());
      s.weights().values().forEach(t -> java.util.Arrays.fill(t.data(), 9f));
      s.optimizer().firstMoment().values().forEach(a -> java.util.Arrays.fill(a, 9f));
      ServerSnapshot again = c.snapshot();
      assertTrue(Fixtures.bitEqual(c.pull().tensors(), again.weights()));
      assertTrue(again.optimizer().firstMoment().values().stream().noneMatch(a -> a.length > 0 && a[0] == 9f));
    }
  }

  @Test
  void restoreRollsBackAndFailsWaitersForLaterVersions() throws Exception {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w0");
      c.register("w1");
      steps(c, 0, 2);
      ServerSnapshot atTwo = c.snapshot();
      steps(c, 2, 4);
      CompletableFuture<VersionStatus> waiting = core.awaitVersionAsync(null, 5, Duration.ofSeconds(30));
      c.restore(atTwo);
      PsException e = (PsException) assertThrows(ExecutionException.class,
          () -> waiting.get(5, TimeUnit.SECONDS)).getCause();
      assertEquals(Refusal.RESTORED, e.reason());
      assertEquals("While waiting, the server was restored to version 2.", e.getMessage());
      assertEquals(java.util.List.of(0L, 1L), core.appliedSteps());
      assertTrue(Fixtures.bitEqual(atTwo.weights(), c.pull().tensors()));
    }
  }

  @Test
  void snapshotOfAnotherShapeIsRefusedAndChangesNothing() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      ServerSnapshot good = c.snapshot();
      Map<String, FloatTensor> bad = new LinkedHashMap<>(good.weights());
      bad.put(LeastSquares.BIAS, FloatTensor.zeros(7));
      ServerSnapshot wrong = new ServerSnapshot(good.jobId(), good.mode(), 3, bad,
          new org.lorafleet.math.optim.AdamW.State(0, Map.of(), Map.of()), Map.of(), null, 0);
      PsException e = assertThrows(PsException.class, () -> c.restore(wrong));
      assertEquals(Refusal.WRONG_SHAPE, e.reason());
      assertEquals("The snapshot has tensor 'layer.bias' as [7]; job 'job-test' has it as [3].", e.getMessage());
      assertEquals(0, c.status().version());
      assertArrayEquals(init.get(LeastSquares.BIAS).data(), c.pull().tensors().get(LeastSquares.BIAS).data());
    }
  }
}
