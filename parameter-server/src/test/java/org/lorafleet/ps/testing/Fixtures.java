package org.lorafleet.ps.testing;

import java.time.Duration;
import java.util.Map;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.math.optim.LrSchedule;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.server.ServerJobSpec;

/** Shared constants and config builders for tests. */
public final class Fixtures {

  public static final String JOB = "job-test";
  public static final String SECRET = "s3cret-s3cret-s3cret-0123";
  /** The worker token of job {@link #JOB} run with {@link #SECRET}. */
  public static final String WORKER_TOKEN = org.lorafleet.ps.auth.JobTokens.workerToken(JOB, SECRET);
  /** The admin token of job {@link #JOB} run with {@link #SECRET}. */
  public static final String ADMIN_TOKEN = org.lorafleet.ps.auth.JobTokens.adminToken(JOB, SECRET);

  private Fixtures() {}

  /** A sync job with AdamW (weight decay 0.01), cosine schedule with warmup, clipping at 1.0. */
  public static ServerJobSpec.Builder sync(Map<String, FloatTensor> init, int workers) {
    return ServerJobSpec.builder(JOB, SECRET, init).mode(UpdateMode.SYNC).expectedWorkers(workers)
        .adamW(AdamWSettings.withWeightDecay(0.01))
        .lrSchedule(new LrSchedule(LrSchedule.Kind.COSINE, 0.05, 3, 50, 0.1))
        .maxGradNorm(1.0).stepTimeout(Duration.ofSeconds(30));
  }

  /** The fault tests' adapter: one 4 × 25 000 LoRA A (several chunks) and one 50 × 4 LoRA B, zeros. */
  public static Map<String, FloatTensor> faultTestAdapter() {
    Map<String, FloatTensor> init = new java.util.LinkedHashMap<>();
    init.put("t.lora_A.weight", FloatTensor.zeros(4, 25_000));
    init.put("t.lora_B.weight", FloatTensor.zeros(50, 4));
    return init;
  }

  /** Uniform values in [-1, 1) shaped like {@code like}, from {@code seed}. */
  public static Map<String, FloatTensor> randomLike(Map<String, FloatTensor> like, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    Map<String, FloatTensor> g = new java.util.LinkedHashMap<>();
    like.forEach((k, t) -> g.put(k, LeastSquares.random(r, 1, t.shape())));
    return g;
  }

  /** Polls {@code condition} every 2 ms; fails after 10 s. For counters a transport updates after replying. */
  public static void waitFor(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not reached within 10 s.");
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Bit-exact equality of two tensor maps (same names, shapes, float bits). */
  public static boolean bitEqual(Map<String, FloatTensor> a, Map<String, FloatTensor> b) {
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

  /** Largest absolute element difference. */
  public static double maxAbsDiff(Map<String, FloatTensor> a, Map<String, FloatTensor> b) {
    double m = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k).data();
      float[] y = b.get(k).data();
      for (int i = 0; i < x.length; i++) {
        m = Math.max(m, Math.abs((double) x[i] - y[i]));
      }
    }
    return m;
  }
}
