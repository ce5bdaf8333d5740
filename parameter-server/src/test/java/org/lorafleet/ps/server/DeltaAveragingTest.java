package org.lorafleet.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.Aggregation;

/** FedAvg and product aggregation against results computed by hand. */
class DeltaAveragingTest {

  private static FloatTensor t(long[] shape, float... v) {
    return new FloatTensor(shape, v);
  }

  private static Map<String, FloatTensor> map(Object... kv) {
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (FloatTensor) kv[i + 1]);
    }
    return m;
  }

  @Test
  void meanIsTheTokenWeightedAverageOfDeltas() {
    long[] s = {2};
    Map<String, FloatTensor> w = map("x", t(s, 1f, -1f));
    // Worker 1: delta (2, 0) with 1 token; worker 2: delta (4, 8) with 3 tokens.
    // Average = ((2 + 12) / 4, (0 + 24) / 4) = (3.5, 6); new weights (4.5, 5).
    DeltaAveraging.apply(w, List.of(new DeltaAveraging.Contribution(map("x", t(s, 2f, 0f)), 1),
        new DeltaAveraging.Contribution(map("x", t(s, 4f, 8f)), 3)), Aggregation.MEAN);
    assertArrayEquals(new float[] {4.5f, 5f}, w.get("x").data());
  }

  @Test
  void meanAveragesLoraFactorsSeparately() {
    // A = [1 0], B = [0; 0]. Worker 1 (1 token): B₁ = [2; 0], A₁ = A. Worker 2 (1 token): A₂ = [0 1], B₂ = [0; 1].
    // mean: A = ([1 0] + [0 1]) / 2 = [0.5 0.5], B = ([2; 0] + [0; 1]) / 2 = [1; 0.5].
    Map<String, FloatTensor> w = loraWeights();
    DeltaAveraging.apply(w, loraContributions(), Aggregation.MEAN);
    assertArrayEquals(new float[] {0.5f, 0.5f}, w.get("m.lora_A.weight").data());
    assertArrayEquals(new float[] {1f, 0.5f}, w.get("m.lora_B.weight").data());
    // B·A = [0.5 0.5; 0.25 0.25] — not the average of the products [1 0; 0 0.5].
  }

  @Test
  void productAveragesBTimesAAndRefactorisesToRankR() {
    // Products: B₁A₁ = [2 0; 0 0], B₂A₂ = [0 0; 0 1]; average [1 0; 0 0.5], singular values 1 and 0.5.
    // Rank 1 keeps [1 0; 0 0]: B = ±[1; 0], A = ±[1 0] (balanced split √1 = 1). The bias, outside
    // any pair, is averaged as in mean.
    Map<String, FloatTensor> w = loraWeights();
    DeltaAveraging.apply(w, loraContributions(), Aggregation.PRODUCT);
    float[] a = w.get("m.lora_A.weight").data();
    float[] b = w.get("m.lora_B.weight").data();
    assertEquals(1f, Math.abs(a[0]), 1e-6f);
    assertEquals(0f, a[1], 1e-6f);
    assertEquals(1f, Math.abs(b[0]), 1e-6f);
    assertEquals(0f, b[1], 1e-6f);
    assertEquals(1f, a[0] * b[0], 1e-6f);
    // Bias: deltas 1 and 3, equal tokens → +2.
    assertArrayEquals(new float[] {2f}, w.get("m.bias").data());
  }

  @Test
  void productWithEnoughRankReproducesTheAverageProductExactly() {
    // Rank-2 pair, in = out = 2: A = I, B = 0. Worker 1 (3 tokens): B₁ = [1 0; 0 0]; worker 2 (1 token):
    // B₂ = [0 0; 0 4]. Average product = (3·[1 0;0 0] + [0 0;0 4]) / 4 = [0.75 0; 0 1].
    long[] s = {2, 2};
    Map<String, FloatTensor> w = map("p.lora_A.weight", t(s, 1, 0, 0, 1), "p.lora_B.weight", t(s, 0, 0, 0, 0));
    FloatTensor zero = t(s, 0, 0, 0, 0);
    DeltaAveraging.apply(w, List.of(
        new DeltaAveraging.Contribution(map("p.lora_A.weight", zero, "p.lora_B.weight", t(s, 1, 0, 0, 0)), 3),
        new DeltaAveraging.Contribution(map("p.lora_A.weight", zero, "p.lora_B.weight", t(s, 0, 0, 0, 4)), 1)),
        Aggregation.PRODUCT);
    float[] a = w.get("p.lora_A.weight").data();
    float[] b = w.get("p.lora_B.weight").data();
    float[] ba = new float[4];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        ba[i * 2 + j] = b[i * 2] * a[j] + b[i * 2 + 1] * a[2 + j];
      }
    }
    assertArrayEquals(new float[] {0.75f, 0f, 0f, 1f}, ba, 1e-6f);
  }

  @Test
  void unpairedLoraFactorIsAConfigError() {
    Map<String, FloatTensor> w = map("q.lora_A.weight", t(new long[] {1, 2}, 1, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraPairs.find(w));
    assertEquals("LoRA factor 'q.lora_A.weight' has no partner 'q.lora_B.weight'.", e.getMessage());
  }

  private static Map<String, FloatTensor> loraWeights() {
    return map("m.lora_A.weight", t(new long[] {1, 2}, 1, 0), "m.lora_B.weight", t(new long[] {2, 1}, 0, 0),
        "m.bias", t(new long[] {1}, 0));
  }

  private static List<DeltaAveraging.Contribution> loraContributions() {
    return List.of(
        new DeltaAveraging.Contribution(map("m.lora_A.weight", t(new long[] {1, 2}, 0, 0),
            "m.lora_B.weight", t(new long[] {2, 1}, 2, 0), "m.bias", t(new long[] {1}, 1)), 1),
        new DeltaAveraging.Contribution(map("m.lora_A.weight", t(new long[] {1, 2}, -1, 1),
            "m.lora_B.weight", t(new long[] {2, 1}, 0, 1), "m.bias", t(new long[] {1}, 3)), 1));
  }
}
