package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.VersionStatus;
import org.lorafleet.ps.client.InProcessClient;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.LeastSquares;

/** The sync rule through the in-process client: math, idempotency, ordering, timeouts. */
class SyncRuleTest {

  private final LeastSquares problem = new LeastSquares(5, 2, 4);
  private final Map<String, FloatTensor> init = problem.initialWeights(7);

  @Test
  void nWorkersEqualOneWorkerOnTheConcatenatedBatch() {
    int workers = 4;
    int steps = 8;
    // Unequal shards so that the token weighting matters: 3, 5, 7, 9 samples per worker and step.
    List<List<List<LeastSquares.Sample>>> shards = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      List<List<LeastSquares.Sample>> perStep = new ArrayList<>();
      for (int s = 0; s < steps; s++) {
        perStep.add(problem.samples(1000L * w + s, 3 + 2 * w));
      }
      shards.add(perStep);
    }
    Map<String, FloatTensor> distributed;
    List<StepOutcome> distributedOutcomes = new ArrayList<>();
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, workers).build());
        InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN)) {
      for (int w = 0; w < workers; w++) {
        c.register("w" + w);
      }
      for (int s = 0; s < steps; s++) {
        Map<String, FloatTensor> weights = c.pull().tensors();
        for (int w = workers - 1; w >= 0; w--) { // arrival order must not matter
          LeastSquares.Grad g = problem.gradient(weights, shards.get(w).get(s));
          PushAck ack = c.pushGradients("w" + w, s, g.sums(), g.lossSum(), g.tokens());
          assertEquals(w == 0, ack.applied());
        }
        VersionStatus st = c.awaitVersion("w0", s + 1, Duration.ofSeconds(5));
        assertEquals(s + 1, st.version());
        distributedOutcomes.add(st.lastOutcome());
      }
      distributed = c.pull().tensors();
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), core.appliedSteps());
    }
    // One worker, whole batch: the single-process path (the trainer's LoraTrainer runs exactly this).
    Map<String, FloatTensor> single = LeastSquares.copy(init);
    AdamW opt = new AdamW(Fixtures.sync(init, 1).build().adamW());
    ServerJobSpec cfg = Fixtures.sync(init, 1).build();
    for (int s = 0; s < steps; s++) {
      List<LeastSquares.Sample> all = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        all.addAll(shards.get(w).get(s));
      }
      LeastSquares.Grad g = problem.gradient(single, all);
      double lr = cfg.lrSchedule().lr(s);
      MeanGradientStep.Outcome o = MeanGradientStep.apply(opt, single, g.sums(), g.tokens(), lr, cfg.maxGradNorm());
      StepOutcome d = distributedOutcomes.get(s);
      assertEquals(s, d.step());
      assertEquals(g.tokens(), d.tokens());
      assertEquals(g.lossSum() / g.tokens(), d.meanLoss(), 1e-6);
      assertEquals(o.gradNormBeforeClip(), d.gradNormBeforeClip(), 1e-5 * o.gradNormBeforeClip());
      assertEquals(lr, d.lr());
      assertEquals(workers, d.workers());
    }
    double diff = Fixtures.maxAbsDiff(single, distributed);
    assertTrue(diff < 1e-5, "N workers and one worker on the whole batch differ by " + diff);
    assertTrue(Fixtures.maxAbsDiff(init, distributed) > 1e-3, "training must have moved the weights");
  }

  @Test
  void retriedPushIsRecognisedAndNotDoubleCounted() {
    Map<String, FloatTensor> once;
    Map<String, FloatTensor> twice;
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      once = runTwoWorkerStep(core, false);
    }
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      twice = runTwoWorkerStep(core, true);
      assertEquals(1, core.metrics().pushesDuplicate());
      assertEquals(2, core.metrics().pushesAccepted());
    }
    assertTrue(Fixtures.bitEqual(once, twice));
  }

  private Map<String, FloatTensor> runTwoWorkerStep(ParameterServerCore core, boolean duplicate) {
    InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
    c.register("a");
    c.register("b");
    LeastSquares.Grad ga = problem.gradient(init, problem.samples(1, 4));
    LeastSquares.Grad gb = problem.gradient(init, problem.samples(2, 4));
    assertFalse(c.pushGradients("a", 0, ga.sums(), ga.lossSum(), ga.tokens()).duplicate());
    if (duplicate) {
      PushAck ack = c.pushGradients("a", 0, ga.sums(), ga.lossSum(), ga.tokens());
      assertTrue(ack.duplicate());
      assertFalse(ack.applied());
      assertEquals(1, ack.pendingWorkers());
    }
    assertTrue(c.pushGradients("b", 0, gb.sums(), gb.lossSum(), gb.tokens()).applied());
    return c.pull().tensors();
  }

  @Test
  void lateAndFuturePushesAreRefusedWithTheirReasons() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("a");
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 4));
      PsException future = assertThrows(PsException.class, () -> c.pushGradients("a", 1, g.sums(), 1, 4));
      assertEquals(Refusal.FUTURE_STEP, future.reason());
      assertEquals(PsStatus.FAILED_PRECONDITION, future.status());
      c.pushGradients("a", 0, g.sums(), g.lossSum(), g.tokens());
      Map<String, FloatTensor> after = c.pull().tensors();
      PsException again = assertThrows(PsException.class, () -> c.pushGradients("a", 0, g.sums(), 1, 4));
      assertEquals(Refusal.ALREADY_APPLIED, again.reason());
      assertEquals("Step 0 was already applied with worker 'a's update; the current version is 1. Pull it and push "
          + "step 1.", again.getMessage());
      assertEquals(List.of(0L), core.appliedSteps());
      assertTrue(Fixtures.bitEqual(after, c.pull().tensors()));
      assertEquals(1, core.metrics().refused(Refusal.ALREADY_APPLIED));
      assertEquals(1, core.metrics().refused(Refusal.FUTURE_STEP));
    }
  }

  @Test
  void pushFromAnUnregisteredOrSurplusWorkerIsRefused() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 4));
      PsException e = assertThrows(PsException.class, () -> c.pushGradients("a", 0, g.sums(), 1, 4));
      assertEquals(Refusal.NOT_REGISTERED, e.reason());
      c.register("a");
      c.register("b");
      assertEquals(0, c.register("a").version()); // re-registering is fine
      PsException surplus = assertThrows(PsException.class, () -> c.register("c"));
      assertEquals(Refusal.NOT_REGISTERED, surplus.reason());
      assertEquals("Job 'job-test' expects 2 workers and [a, b] are registered, so worker 'c' cannot join; give a "
          + "retried task its old worker id (e.g. the partition index).", surplus.getMessage());
      PsException wrongMode = assertThrows(PsException.class, () -> c.pushDeltas("a", 0, g.sums(), 1, 4));
      assertEquals(Refusal.WRONG_MODE, wrongMode.reason());
      assertTrue(core.pendingWorkers().isEmpty());
    }
  }

  @Test
  void missingWorkerFailsTheStepAndWorkersRejoinAfterRegisteringAgain() throws Exception {
    ServerJobSpec cfg = Fixtures.sync(init, 3).stepTimeout(Duration.ofMillis(300)).build();
    try (ParameterServerCore core = new ParameterServerCore(cfg)) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      for (String w : List.of("w0", "w1", "w2")) {
        c.register(w);
      }
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 4));
      c.pushGradients("w0", 0, g.sums(), g.lossSum(), g.tokens());
      c.pushGradients("w1", 0, g.sums(), g.lossSum(), g.tokens());
      CompletableFuture<VersionStatus> waiting = core.awaitVersionAsync("w0", 1, Duration.ofSeconds(30));
      Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> waiting.get(10, TimeUnit.SECONDS)).getCause();
      PsException e = (PsException) failure;
      assertEquals(PsStatus.DEADLINE_EXCEEDED, e.status());
      assertEquals(Refusal.STEP_TIMEOUT, e.reason());
      assertTrue(e.getMessage().startsWith("Step 0 of job 'job-test' failed: worker(s) w2 (last heard from "),
          e.getMessage());
      assertTrue(e.getMessage().endsWith(" did not push within 300 ms of the first push (pushed: [w0, w1]). The "
          + "version stays 0; register the workers again and push step 0."), e.getMessage());
      assertEquals(0, c.status().version());
      assertEquals(1, core.metrics().stepsFailed());
      assertTrue(core.pendingWorkers().isEmpty());
      // The late worker (an old task attempt) is refused until it registers again.
      PsException stale = assertThrows(PsException.class,
          () -> c.pushGradients("w2", 0, g.sums(), g.lossSum(), g.tokens()));
      assertEquals(Refusal.REGISTRATION_STALE, stale.reason());
      assertEquals(PsStatus.FAILED_PRECONDITION, stale.status());
      assertEquals(Refusal.REGISTRATION_STALE,
          assertThrows(PsException.class, () -> c.heartbeat("w0")).reason());
      // The retried stage: everybody registers again at version 0 and the step goes through once.
      for (String w : List.of("w0", "w1", "w2")) {
        assertEquals(0, c.register(w).version());
      }
      for (String w : List.of("w0", "w1", "w2")) {
        c.pushGradients(w, 0, g.sums(), g.lossSum(), g.tokens());
      }
      assertEquals(1, c.awaitVersion("w2", 1, Duration.ofSeconds(5)).version());
      assertEquals(List.of(0L), core.appliedSteps());
    }
  }

  @Test
  void awaitTimesOutWithAPreciseMessage() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 2).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("a");
      PsException e = assertThrows(PsException.class, () -> c.awaitVersion("a", 1, Duration.ofMillis(50)));
      assertEquals(Refusal.AWAIT_TIMEOUT, e.reason());
      assertEquals("Version 1 was not published within 50 ms (current version 0, 0 of 2 workers pushed the current "
          + "step: []).", e.getMessage());
      VersionStatus now = c.awaitVersion(null, 0, Duration.ZERO);
      assertEquals(0, now.version());
      assertNull(now.lastOutcome());
    }
  }

  @Test
  void aFailingListenerIsNeverIgnored() throws Exception {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      List<Long> seen = new CopyOnWriteArrayList<>();
      CompletableFuture<RuntimeException> handed = new CompletableFuture<>();
      core.onListenerFailure(handed::complete);
      core.addStepListener(o -> {
        seen.add(o.step());
        if (o.step() == 2) {
          throw new ArithmeticException("/ by zero");
        }
      });
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("a");
      for (int s = 0; s < 6; s++) {
        LeastSquares.Grad g = problem.gradient(c.pull().tensors(), problem.samples(s, 3));
        c.pushGradients("a", s, g.sums(), g.lossSum(), g.tokens());
      }
      RuntimeException e = handed.get(5, TimeUnit.SECONDS);
      assertEquals("A step listener failed on step 2: / by zero", e.getMessage());
      assertTrue(e.getCause() instanceof ArithmeticException);
      assertEquals(e, core.listenerFailure().orElseThrow());
      Thread.sleep(100); // let the listener thread drain the later outcomes
      assertEquals(List.of(0L, 1L, 2L), seen, "no outcome may be delivered after a listener failed");
    }
  }

  @Test
  void listenersSeeEveryOutcomeInStepOrder() throws Exception {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      List<Long> seen = new CopyOnWriteArrayList<>();
      core.addStepListener(o -> seen.add(o.step()));
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("a");
      for (int s = 0; s < 20; s++) {
        LeastSquares.Grad g = problem.gradient(c.pull().tensors(), problem.samples(s, 3));
        c.pushGradients("a", s, g.sums(), g.lossSum(), g.tokens());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (seen.size() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      List<Long> expected = new ArrayList<>();
      for (long s = 0; s < 20; s++) {
        expected.add(s);
      }
      assertEquals(expected, seen);
      assertEquals(5, c.outcomes(15).size());
      assertEquals(15, c.outcomes(15).get(0).step());
    }
  }

  @Test
  void inProcessClientCopiesSoCallersCannotCorruptTheServer() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      Map<String, FloatTensor> pulled = c.pull().tensors();
      pulled.values().forEach(t -> java.util.Arrays.fill(t.data(), 42f));
      assertTrue(Fixtures.bitEqual(init, c.pull().tensors()));
      assertEquals(Refusal.UNAUTHENTICATED, assertThrows(PsException.class,
          () -> new InProcessClient(core, Fixtures.JOB, "wrong-secret-wrong-secret")).reason());
      assertEquals(Refusal.WRONG_JOB, assertThrows(PsException.class,
          () -> new InProcessClient(core, "other-job", Fixtures.WORKER_TOKEN)).reason());
    }
  }
}
