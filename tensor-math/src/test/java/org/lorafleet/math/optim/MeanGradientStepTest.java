package org.lorafleet.math.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.lorafleet.math.tensor.FloatTensor;

/**
 * The fused, chunked sync step on adapters large enough to run in parallel chunks: same bits as
 * accumulate-then-apply, same bits on any thread count, and the math of a double-precision reference.
 */
class MeanGradientStepTest {

  private static final AdamWSettings SETTINGS = new AdamWSettings(0.9, 0.999, 1e-8, 0.01);

  /** 300 000 + 90 000 floats: more than Chunked.PARALLEL_THRESHOLD, with a ragged last chunk. */
  private static Map<String, FloatTensor> adapter(long seed, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    m.put("a", random(r, scale, 3, 100_000));
    m.put("b", random(r, scale, 90_000));
    return m;
  }

  private static List<Map<String, FloatTensor>> sums(int n) {
    List<Map<String, FloatTensor>> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      out.add(adapter(100 + k, 5.0));
    }
    return out;
  }

  private record Run(Map<String, FloatTensor> params, MeanGradientStep.Outcome outcome, AdamW.State state) {}

  /** Two steps (the second on the first's result) with applyInto, like the server does. */
  private static Run twoStepsInto(double maxNorm) {
    AdamW opt = new AdamW(SETTINGS);
    Map<String, FloatTensor> p = adapter(1, 1.0);
    Map<String, FloatTensor> before = copy(p);
    MeanGradientStep.Outcome o = null;
    for (int step = 0; step < 2; step++) {
      Map<String, FloatTensor> next = copy(p); // content is overwritten
      o = MeanGradientStep.applyInto(opt, p, sums(3), 1234, 1e-3, maxNorm, next);
      assertTrue(step > 0 || bitEqual(before, p), "applyInto leaves the parameters it reads untouched");
      p = next;
    }
    return new Run(p, o, opt.snapshot());
  }

  @Test
  void applyIntoEqualsAccumulateThenApplyBitForBit() {
    for (double maxNorm : new double[] {0.5, 0, 1e9}) { // clipped, no clipping, threshold not reached
      AdamW opt = new AdamW(SETTINGS);
      Map<String, FloatTensor> p = adapter(1, 1.0);
      MeanGradientStep.Outcome o = null;
      for (int step = 0; step < 2; step++) {
        Map<String, FloatTensor> acc = new LinkedHashMap<>();
        for (Map<String, FloatTensor> s : sums(3)) {
          MeanGradientStep.accumulate(acc, s);
        }
        o = MeanGradientStep.apply(opt, p, acc, 1234, 1e-3, maxNorm);
      }
      Run into = twoStepsInto(maxNorm);
      assertTrue(bitEqual(p, into.params()), "maxNorm " + maxNorm);
      assertEquals(o.gradNormBeforeClip(), into.outcome().gradNormBeforeClip());
      for (String k : p.keySet()) {
        assertTrue(java.util.Arrays.equals(opt.snapshot().firstMoment().get(k), into.state().firstMoment().get(k)));
        assertTrue(java.util.Arrays.equals(opt.snapshot().secondMoment().get(k), into.state().secondMoment().get(k)));
      }
    }
  }

  @Test
  void resultDoesNotDependOnTheThreadCount() throws Exception {
    Run commonPool = twoStepsInto(0.5);
    ForkJoinPool one = new ForkJoinPool(1);
    try {
      Run singleThread = one.submit(() -> twoStepsInto(0.5)).get(); // parallel streams stay in this pool
      assertTrue(bitEqual(commonPool.params(), singleThread.params()));
      assertEquals(commonPool.outcome().gradNormBeforeClip(), singleThread.outcome().gradNormBeforeClip());
    } finally {
      one.shutdown();
    }
  }

  @Test
  void matchesADoublePrecisionReference() {
    double maxNorm = 0.5;
    double lr = 1e-3;
    long tokens = 1234;
    Map<String, FloatTensor> p0 = adapter(1, 1.0);
    Map<String, FloatTensor> out = copy(p0);
    MeanGradientStep.Outcome o = MeanGradientStep.applyInto(new AdamW(SETTINGS), p0, sums(3), tokens, lr, maxNorm,
        out);
    // Reference: mean gradient, global norm, torch's clip coefficient, one AdamW step (t = 1), all in double.
    List<Map<String, FloatTensor>> g = sums(3);
    Map<String, double[]> mean = new LinkedHashMap<>();
    double sq = 0;
    for (String k : p0.keySet()) {
      double[] m = new double[p0.get(k).size()];
      for (Map<String, FloatTensor> s : g) {
        float[] d = s.get(k).data();
        for (int i = 0; i < m.length; i++) {
          m[i] += d[i];
        }
      }
      for (int i = 0; i < m.length; i++) {
        m[i] /= tokens;
        sq += m[i] * m[i];
      }
      mean.put(k, m);
    }
    double norm = Math.sqrt(sq);
    assertEquals(norm, o.gradNormBeforeClip(), 1e-6 * norm);
    double coef = Math.min(1, maxNorm / (norm + 1e-6));
    assertTrue(coef < 1, "the case must clip");
    double worst = 0;
    for (String k : p0.keySet()) {
      float[] p = p0.get(k).data();
      float[] got = out.get(k).data();
      double[] m = mean.get(k);
      for (int i = 0; i < p.length; i++) {
        double gi = m[i] * coef;
        double mi = (1 - 0.9) * gi;
        double vi = (1 - 0.999) * gi * gi;
        double expected = p[i] * (1 - lr * 0.01) - lr / (1 - 0.9) * mi / (Math.sqrt(vi) / Math.sqrt(1 - 0.999) + 1e-8);
        worst = Math.max(worst, Math.abs(expected - got[i]));
      }
    }
    assertTrue(worst < 2e-6, "max |float - double reference| = " + worst);
  }

  @Test
  void sumOfSquaresIsADoubleSumOfTheFloatProducts() {
    float[] x = adapter(9, 3.0).get("b").data();
    float scale = 1f / 77;
    double expected = 0;
    for (int from = 11; from < 11 + 1003; from++) {
      float v = x[from] * scale;
      expected += (double) v * v;
    }
    assertEquals(expected, MeanGradientStep.sumOfSquares(x, 11, 11 + 1003, scale), 1e-12 * expected);
  }

  /** A tensor of {@code shape} with values uniform in [-scale, scale). */
  private static FloatTensor random(SplittableRandom r, double scale, long... shape) {
    FloatTensor t = FloatTensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (r.nextDouble(-1, 1) * scale);
    }
    return t;
  }

  private static Map<String, FloatTensor> copy(Map<String, FloatTensor> m) {
    Map<String, FloatTensor> c = new LinkedHashMap<>();
    m.forEach((k, t) -> c.put(k, t.copy()));
    return c;
  }

  /** Same names, shapes and float bits. */
  private static boolean bitEqual(Map<String, FloatTensor> a, Map<String, FloatTensor> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (String k : a.keySet()) {
      float[] x = a.get(k).data();
      float[] y = b.get(k).data();
      if (!a.get(k).sameShape(b.get(k)) || x.length != y.length) {
        return false;
      }
      for (int i = 0; i < x.length; i++) {
        if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
          return false;
        }
      }
    }
    return true;
  }
}
