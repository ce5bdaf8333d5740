package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.LeastSquares;

/** Recycling of the arrays of old versions: done when nobody reads them, never under a reader. */
class VersionBuffersTest {

  private final LeastSquares problem = new LeastSquares(4, 3, 2);
  private final Map<String, FloatTensor> init = problem.initialWeights(5);

  private void step(ParameterServerCore core, long s) {
    LeastSquares.Grad g = problem.gradient(init, problem.samples(s, 4));
    assertTrue(core.push(UpdateKind.GRADIENT_SUMS, "w", s, LeastSquares.copy(g.sums()), g.lossSum(), g.tokens())
        .applied());
  }

  private static float[] firstArray(PublishedVersion v) {
    return v.tensors().values().iterator().next().data();
  }

  @Test
  void arraysOfAVersionNobodyReadsAreReusedTwoVersionsLater() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      core.register("w");
      float[] v0 = core.readPublished(VersionBuffersTest::firstArray);
      step(core, 0);
      step(core, 1); // writes version 2 into version 0's arrays
      assertSame(v0, core.readPublished(VersionBuffersTest::firstArray));
      assertEquals(2, core.status().version());
    }
  }

  @Test
  void aPinnedVersionIsNeverOverwritten() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      core.register("w");
      PublishedVersion v0 = core.published(); // handed out for keeps
      Map<String, FloatTensor> copy = LeastSquares.copy(v0.tensors());
      for (long s = 0; s < 4; s++) {
        step(core, s);
        assertNotSame(firstArray(v0), core.readPublished(VersionBuffersTest::firstArray));
      }
      assertTrue(Fixtures.bitEqual(copy, v0.tensors()));
    }
  }

  @Test
  void aVersionBeingReadIsNotOverwrittenUntilTheReaderIsDone() throws Exception {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      core.register("w");
      CountDownLatch reading = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Boolean> unchanged = CompletableFuture.supplyAsync(() -> core.readPublished(v -> {
        Map<String, FloatTensor> copy = LeastSquares.copy(v.tensors());
        reading.countDown();
        try {
          assertTrue(release.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        return Fixtures.bitEqual(copy, v.tensors()); // still version 0's values after 3 updates
      }));
      assertTrue(reading.await(10, TimeUnit.SECONDS));
      float[] v0 = core.readPublished(VersionBuffersTest::firstArray);
      for (long s = 0; s < 3; s++) {
        step(core, s);
        assertNotSame(v0, core.readPublished(VersionBuffersTest::firstArray));
      }
      release.countDown();
      assertTrue(unchanged.get(10, TimeUnit.SECONDS));
    }
  }
}
