package org.lorafleet.ps.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsMetrics;
import org.lorafleet.ps.api.PushAck;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.server.ServerJobSpec;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;
import org.lorafleet.ps.testing.LeastSquares;

/**
 * 32 gRPC clients × 200 sync steps on loopback with random delays (0–2 ms) and random duplicate
 * pushes; the final weights must equal a sequential replay of the same updates bit for bit, and
 * every step must be applied exactly once.
 */
@Tag("slow")
class GrpcConcurrencyTest {

  private static final int CLIENTS = 32;
  private static final int STEPS = 200;
  private final LeastSquares problem = new LeastSquares(4, 2, 3);
  private final Map<String, FloatTensor> init = problem.initialWeights(2026);

  private static String id(int w) {
    return String.format("w%02d", w);
  }

  private List<LeastSquares.Sample> batch(int w, long step) {
    return problem.samples(w * 100_003L + step, 1 + (int) ((w + step) % 5));
  }

  @Test
  void concurrentClientsMatchSequentialReplay() throws Exception {
    ServerJobSpec cfg = Fixtures.sync(init, CLIENTS).lrSchedule(org.lorafleet.math.optim.LrSchedule.constant(0.01)).build();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger lateRetries = new AtomicInteger();
    Map<String, FloatTensor> served;
    try (GrpcHarness h = new GrpcHarness(cfg)) {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < CLIENTS; w++) {
          int worker = w;
          GrpcClient c = h.client();
          fs.add(pool.submit(() -> {
            SplittableRandom delays = new SplittableRandom(worker);
            c.register(id(worker));
            for (long s = 0; s < STEPS; s++) {
              var v = c.pull();
              assertEquals(s, v.version());
              LeastSquares.Grad g = problem.gradient(v.tensors(), batch(worker, s));
              sleepMicros(delays.nextInt(2_000));
              PushAck ack = c.pushGradients(id(worker), s, g.sums(), g.lossSum(), g.tokens());
              if (!ack.applied() && delays.nextInt(10) == 0) { // a retry of a push whose answer was "lost"
                try {
                  PushAck again = c.pushGradients(id(worker), s, g.sums(), g.lossSum(), g.tokens());
                  assertTrue(again.duplicate());
                  duplicates.incrementAndGet();
                } catch (PsException e) { // the step completed in between: the retry is refused, not re-applied
                  assertEquals(Refusal.ALREADY_APPLIED, e.reason());
                  lateRetries.incrementAndGet();
                }
              }
              c.awaitVersion(id(worker), s + 1, Duration.ofSeconds(60));
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get(170, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      served = h.core.published().tensors();
      List<Long> expected = new ArrayList<>();
      for (long s = 0; s < STEPS; s++) {
        expected.add(s);
      }
      assertEquals(expected, h.core.appliedSteps());
      PsMetrics m = h.core.metrics();
      assertEquals((long) CLIENTS * STEPS, m.pushesAccepted());
      assertEquals(STEPS, m.stepsApplied());
      assertEquals(0, m.stepsFailed());
      assertEquals(duplicates.get(), m.pushesDuplicate());
      assertEquals(lateRetries.get(), m.refused(Refusal.ALREADY_APPLIED));
    }
    assertTrue(duplicates.get() > 0, "the run should have exercised duplicate pushes");

    // Sequential replay: same gradients, summed in ascending worker-id order, one MeanGradientStep per step.
    Map<String, FloatTensor> w = LeastSquares.copy(init);
    AdamW opt = new AdamW(cfg.adamW());
    for (long s = 0; s < STEPS; s++) {
      Map<String, FloatTensor> sums = new LinkedHashMap<>();
      long tokens = 0;
      for (int k = 0; k < CLIENTS; k++) {
        LeastSquares.Grad g = problem.gradient(w, batch(k, s));
        MeanGradientStep.accumulate(sums, g.sums());
        tokens += g.tokens();
      }
      MeanGradientStep.apply(opt, w, sums, tokens, cfg.lrSchedule().lr(s), cfg.maxGradNorm());
    }
    assertTrue(Fixtures.bitEqual(w, served), "served weights differ from the sequential replay by "
        + Fixtures.maxAbsDiff(w, served));
  }

  private static void sleepMicros(int micros) {
    try {
      TimeUnit.MICROSECONDS.sleep(micros);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
