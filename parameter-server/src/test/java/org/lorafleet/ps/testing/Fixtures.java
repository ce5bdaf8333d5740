package org.lorafleet.ps.testing;

import java.time.Duration;
import java.util.Map;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.optim.AdamWSettings;
import org.lorafleet.ps.optim.LrSchedule;
import org.lorafleet.ps.server.JobConfig;
import org.lorafleet.ps.tensor.FloatTensor;

/** Shared constants and config builders for tests. */
public final class Fixtures {

  public static final String JOB = "job-test";
  public static final String SECRET = "s3cret-s3cret-s3cret-0123";

  private Fixtures() {}

  /** A sync job with AdamW (weight decay 0.01), cosine schedule with warmup, clipping at 1.0. */
  public static JobConfig.Builder sync(Map<String, FloatTensor> init, int workers) {
    return JobConfig.builder(JOB, SECRET, init).mode(UpdateMode.SYNC).expectedWorkers(workers)
        .adamW(AdamWSettings.withWeightDecay(0.01))
        .lrSchedule(new LrSchedule(LrSchedule.Kind.COSINE, 0.05, 3, 50, 0.1))
        .maxGradNorm(1.0).stepTimeout(Duration.ofSeconds(30));
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
