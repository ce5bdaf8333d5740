package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.client.InProcessClient;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.LeastSquares;

/** Bounded staleness: applied iff current − base ≤ staleness; each applied push is one AdamW step. */
class AsyncRuleTest {

  private final LeastSquares problem = new LeastSquares(3, 2, 3);
  private final Map<String, FloatTensor> init = problem.initialWeights(11);

  @Test
  void stalenessBoundaryIsInclusiveAndRefusalsLeaveStateUntouched() {
    ServerJobSpec cfg = Fixtures.sync(init, 5).mode(UpdateMode.ASYNC).staleness(2).build();
    try (ParameterServerCore core = new ParameterServerCore(cfg)) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      for (String w : List.of("a", "b", "c", "d", "e")) {
        c.register(w);
      }
      // Everybody computes on version 0.
      LeastSquares.Grad[] g = new LeastSquares.Grad[5];
      for (int i = 0; i < 5; i++) {
        g[i] = problem.gradient(init, problem.samples(i, 2 + i));
      }
      // Replay of what must happen: a, b, c applied (behind by 0, 1, 2), d refused (behind by 3).
      Map<String, FloatTensor> expected = LeastSquares.copy(init);
      AdamW opt = new AdamW(cfg.adamW());
      for (int i = 0; i < 3; i++) {
        MeanGradientStep.apply(opt, expected, g[i].sums(), g[i].tokens(), cfg.lrSchedule().lr(i), cfg.maxGradNorm());
      }
      String[] ids = {"a", "b", "c"};
      for (int i = 0; i < 3; i++) {
        PushAck ack = c.pushGradients(ids[i], 0, g[i].sums(), g[i].lossSum(), g[i].tokens());
        assertTrue(ack.applied());
        assertEquals(i + 1, ack.version());
      }
      Map<String, FloatTensor> before = c.pull().tensors();
      PsException stale = assertThrows(PsException.class,
          () -> c.pushGradients("d", 0, g[3].sums(), g[3].lossSum(), g[3].tokens()));
      assertEquals(PsStatus.ABORTED, stale.status());
      assertEquals(Refusal.STALE, stale.reason());
      assertEquals("Worker 'd' pushed an update computed on version 0, 3 versions behind the current version 3 "
          + "(staleness bound 2); pull the current version and recompute.", stale.getMessage());
      assertEquals(3, c.status().version());
      assertTrue(Fixtures.bitEqual(before, c.pull().tensors()));
      assertTrue(Fixtures.bitEqual(expected, before));
      // d pulls version 3 and recomputes: behind by 0, applied.
      LeastSquares.Grad fresh = problem.gradient(before, problem.samples(3, 5));
      assertTrue(c.pushGradients("d", 3, fresh.sums(), fresh.lossSum(), fresh.tokens()).applied());
      // e computed on 2 (pulled earlier): current 4 − 2 = 2, applied; then on 1: refused as older than its own last push.
      LeastSquares.Grad e2 = problem.gradient(before, problem.samples(9, 2));
      assertTrue(c.pushGradients("e", 2, e2.sums(), e2.lossSum(), e2.tokens()).applied());
      assertEquals(Refusal.OLD_STEP, assertThrows(PsException.class,
          () -> c.pushGradients("e", 1, e2.sums(), e2.lossSum(), e2.tokens())).reason());
      // A retry of the same (worker, base version) is a duplicate, not a second step.
      PushAck dup = c.pushGradients("e", 2, e2.sums(), e2.lossSum(), e2.tokens());
      assertTrue(dup.duplicate());
      assertEquals(5, dup.version());
      // A base version from the future is refused.
      assertEquals(Refusal.FUTURE_STEP, assertThrows(PsException.class,
          () -> c.pushGradients("a", 9, e2.sums(), e2.lossSum(), e2.tokens())).reason());
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L), core.appliedSteps());
      assertEquals(1, core.metrics().refused(Refusal.STALE));
    }
  }

  @Test
  void stalenessZeroAcceptsOnlyTheCurrentVersion() {
    ServerJobSpec cfg = Fixtures.sync(init, 2).mode(UpdateMode.ASYNC).staleness(0).build();
    try (ParameterServerCore core = new ParameterServerCore(cfg)) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("a");
      c.register("b");
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 3));
      c.pushGradients("a", 0, g.sums(), g.lossSum(), g.tokens());
      assertEquals(Refusal.STALE, assertThrows(PsException.class,
          () -> c.pushGradients("b", 0, g.sums(), g.lossSum(), g.tokens())).reason());
      assertTrue(c.pushGradients("b", 1, g.sums(), g.lossSum(), g.tokens()).applied());
    }
  }
}
