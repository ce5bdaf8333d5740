package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.Aggregation;
import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.client.InProcessClient;
import org.lorafleet.ps.testing.Fixtures;

/** local-sgd rounds through the server, against hand-computed FedAvg and product results. */
class LocalSgdTest {

  private static Map<String, FloatTensor> weights() {
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    m.put("m.lora_A.weight", new FloatTensor(new long[] {1, 2}, new float[] {1, 0}));
    m.put("m.lora_B.weight", new FloatTensor(new long[] {2, 1}, new float[] {0, 0}));
    return m;
  }

  private static Map<String, FloatTensor> deltas(float[] a, float[] b) {
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    m.put("m.lora_A.weight", new FloatTensor(new long[] {1, 2}, a));
    m.put("m.lora_B.weight", new FloatTensor(new long[] {2, 1}, b));
    return m;
  }

  private Map<String, FloatTensor> round(Aggregation agg) {
    ServerJobSpec cfg = Fixtures.sync(weights(), 2).mode(UpdateMode.LOCAL_SGD).aggregation(agg).build();
    try (ParameterServerCore core = new ParameterServerCore(cfg)) {
      InProcessClient c = new InProcessClient(core, Fixtures.JOB, Fixtures.WORKER_TOKEN);
      c.register("w1");
      c.register("w2");
      // Worker 1 (3 tokens): B₁ = [2; 0], A₁ = [1 0]. Worker 2 (1 token): A₂ = [0 1], B₂ = [0; 4].
      assertEquals(Refusal.WRONG_MODE, assertThrows(PsException.class,
          () -> c.pushGradients("w1", 0, deltas(new float[2], new float[2]), 1, 1)).reason());
      assertFalse(c.pushDeltas("w1", 0, deltas(new float[] {0, 0}, new float[] {2, 0}), 6.0, 3).applied());
      assertTrue(c.pushDeltas("w2", 0, deltas(new float[] {-1, 1}, new float[] {0, 4}), 2.0, 1).applied());
      StepOutcome o = c.status().lastOutcome();
      assertEquals(0, o.step());
      assertEquals(1, o.version());
      assertEquals(2.0, o.meanLoss()); // (6 + 2) / 4
      assertEquals(4, o.tokens());
      assertTrue(Double.isNaN(o.lr()));
      return c.pull().tensors();
    }
  }

  @Test
  void meanRoundIsFedAvgOfEachFactor() {
    Map<String, FloatTensor> w = round(Aggregation.MEAN);
    // A: [1 0] + (3·[0 0] + 1·[-1 1]) / 4 = [0.75 0.25]; B: [0; 0] + (3·[2; 0] + [0; 4]) / 4 = [1.5; 1].
    assertArrayEquals(new float[] {0.75f, 0.25f}, w.get("m.lora_A.weight").data());
    assertArrayEquals(new float[] {1.5f, 1f}, w.get("m.lora_B.weight").data());
  }

  @Test
  void productRoundRefactorisesTheAverageProduct() {
    Map<String, FloatTensor> w = round(Aggregation.PRODUCT);
    // B₁A₁ = [2 0; 0 0], B₂A₂ = [0 0; 0 4]; weighted average (3·B₁A₁ + B₂A₂)/4 = [1.5 0; 0 1].
    // Rank 1 keeps the largest singular value 1.5 along e₁: B·A = [1.5 0; 0 0], |A| = |B| = √1.5.
    float[] a = w.get("m.lora_A.weight").data();
    float[] b = w.get("m.lora_B.weight").data();
    float[] ba = {b[0] * a[0], b[0] * a[1], b[1] * a[0], b[1] * a[1]};
    assertArrayEquals(new float[] {1.5f, 0f, 0f, 0f}, ba, 1e-6f);
    assertEquals(Math.sqrt(1.5), Math.abs(a[0]), 1e-6);
    assertEquals(Math.sqrt(1.5), Math.abs(b[0]), 1e-6);
  }
}
