package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.PsStatus;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.client.InProcessClient;
import org.lorafleet.ps.testing.Fixtures;
import org.lorafleet.ps.testing.LeastSquares;

/** Invalid updates are refused with a precise status, counted, and never applied or held. */
class ValidationTest {

  private final LeastSquares problem = new LeastSquares(3, 2, 2);
  private final Map<String, FloatTensor> init = problem.initialWeights(3);

  private void assertRefused(Refusal reason, String message, Consumer<Map<String, FloatTensor>> corrupt) {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w");
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 3));
      Map<String, FloatTensor> update = new LinkedHashMap<>(g.sums());
      corrupt.accept(update);
      PsException e = assertThrows(PsException.class, () -> c.pushGradients("w", 0, update, g.lossSum(), 3));
      assertEquals(PsStatus.INVALID_ARGUMENT, e.status());
      assertEquals(reason, e.reason());
      assertEquals(message, e.getMessage());
      assertEquals(1, core.metrics().refused(reason));
      assertEquals(0, core.metrics().pushesAccepted());
      assertTrue(core.pendingWorkers().isEmpty());
      assertEquals(0, c.status().version());
      assertTrue(Fixtures.bitEqual(init, c.pull().tensors()));
    }
  }

  @Test
  void nanIsRefused() {
    assertRefused(Refusal.NON_FINITE, "Worker 'w' pushed NaN at element 1 of tensor 'layer.lora_B.weight'; "
        + "updates must be finite.", u -> u.get(LeastSquares.B).data()[1] = Float.NaN);
  }

  @Test
  void infinityIsRefused() {
    assertRefused(Refusal.NON_FINITE, "Worker 'w' pushed -Infinity at element 0 of tensor 'layer.bias'; updates "
        + "must be finite.", u -> u.get(LeastSquares.BIAS).data()[0] = Float.NEGATIVE_INFINITY);
  }

  @Test
  void wrongShapeIsRefused() {
    assertRefused(Refusal.WRONG_SHAPE, "Worker 'w' pushed tensor 'layer.lora_A.weight' with shape [3, 2]; job "
        + "'job-test' has it as [2, 3].", u -> u.put(LeastSquares.A, FloatTensor.zeros(3, 2)));
  }

  @Test
  void unknownTensorIsRefused() {
    assertRefused(Refusal.UNKNOWN_TENSOR, "Worker 'w' pushed tensor 'layer.extra', which job 'job-test' does not "
        + "train.", u -> u.put("layer.extra", FloatTensor.zeros(1)));
  }

  @Test
  void missingTensorIsRefused() {
    assertRefused(Refusal.MISSING_TENSOR, "Worker 'w' pushed no value for tensor 'layer.bias'; every push must cover "
        + "all 3 tensors of job 'job-test'.", u -> u.remove(LeastSquares.BIAS));
  }

  @Test
  void nonFiniteLossAndZeroTokensAreRefused() {
    try (ParameterServerCore core = new ParameterServerCore(Fixtures.sync(init, 1).build())) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w");
      LeastSquares.Grad g = problem.gradient(init, problem.samples(1, 3));
      assertEquals(Refusal.NON_FINITE, assertThrows(PsException.class,
          () -> c.pushGradients("w", 0, g.sums(), Double.NaN, 3)).reason());
      PsException zero = assertThrows(PsException.class, () -> c.pushGradients("w", 0, g.sums(), 1, 0));
      assertEquals(Refusal.MALFORMED, zero.reason());
      assertEquals("Worker 'w' pushed 0 tokens; an update needs at least one counted token.", zero.getMessage());
      assertEquals(0, c.status().version());
    }
  }
}
