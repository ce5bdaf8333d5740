package org.lorafleet.ps.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.client.GrpcClient;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.GrpcHarness;
import org.lorafleet.ps.testing.LeastSquares;

/**
 * The server is killed mid-run and a new one is restored from a snapshot taken while the workers
 * were running; the workers rejoin and training reaches the same final weights, bit for bit, as a
 * run that was never interrupted.
 */
class GrpcKillRestoreTest {

  private static final int WORKERS = 4;
  private static final int STEPS = 300; // far more than the ~15 before the kill: at 30, fast runs finished before it
  private final LeastSquares problem = new LeastSquares(6, 2, 4);
  private final Map<String, FloatTensor> init = problem.initialWeights(99);

  /** A worker: registers, then pull → gradient → push → await, from the server's version to {@code until}. */
  private Void worker(GrpcClient c, String id, int until) {
    long s = c.register(id).version();
    for (; s < until; s++) {
      var v = c.pull();
      assertEquals(s, v.version());
      LeastSquares.Grad g = problem.gradient(v.tensors(), problem.samples(id.hashCode() * 1000L + s, 3 + (int) (s % 4)));
      c.pushGradients(id, s, g.sums(), g.lossSum(), g.tokens());
      c.awaitVersion(id, s + 1, Duration.ofSeconds(30));
    }
    return null;
  }

  private List<Future<Void>> startWorkers(ExecutorService pool, GrpcHarness h, int until) {
    List<Future<Void>> fs = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      GrpcClient c = h.client();
      String id = "worker-" + w;
      fs.add(pool.submit(() -> worker(c, id, until)));
    }
    return fs;
  }

  @Test
  void killedServerRestoredFromSnapshotReachesTheSameWeights() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    try {
      Map<String, FloatTensor> uninterrupted;
      try (GrpcHarness h = new GrpcHarness(Fixtures.sync(init, WORKERS).build())) {
        for (Future<Void> f : startWorkers(pool, h, STEPS)) {
          f.get(60, TimeUnit.SECONDS);
        }
        uninterrupted = h.core.published().tensors();
        assertEquals(STEPS, h.core.status().version());
      }

      ServerSnapshot checkpoint;
      int failedWorkers = 0;
      ServerOptions admin = ServerOptions.loopback().withAdminCalls(true);
      try (GrpcHarness first = new GrpcHarness(Fixtures.sync(init, WORKERS).build(), admin)) {
        GrpcClient driver = first.client(first.adminOptions());
        List<Future<Void>> fs = startWorkers(pool, first, STEPS);
        driver.awaitVersion(null, 10, Duration.ofSeconds(30));
        checkpoint = driver.snapshot(); // taken while workers push: a consistent cut at some version ≥ 10
        driver.awaitVersion(null, checkpoint.version() + 4, Duration.ofSeconds(30));
        first.server.kill(); // crash: connections dropped, in-flight pushes lost
        first.core.close();
        for (Future<Void> f : fs) {
          try {
            f.get(60, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            PsException pe = (PsException) e.getCause();
            assertTrue(pe.status() == PsStatus.UNAVAILABLE || pe.status() == PsStatus.CANCELLED, pe.toString());
            failedWorkers++;
          }
        }
      }
      assertEquals(WORKERS, failedWorkers, "every worker must have seen the crash");
      assertTrue(checkpoint.version() >= 10 && checkpoint.version() < STEPS - 4);

      // A new server process: restore the checkpoint, the (retried) workers register and continue.
      try (GrpcHarness second = new GrpcHarness(Fixtures.sync(init, WORKERS).build(), admin)) {
        second.client(second.adminOptions()).restore(checkpoint);
        assertEquals(checkpoint.version(), second.core.status().version());
        for (Future<Void> f : startWorkers(pool, second, STEPS)) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(STEPS, second.core.status().version());
        assertTrue(Fixtures.bitEqual(uninterrupted, second.core.published().tensors()));
        List<Long> expected = new ArrayList<>();
        for (long s = checkpoint.version(); s < STEPS; s++) {
          expected.add(s);
        }
        assertEquals(expected, second.core.appliedSteps());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
