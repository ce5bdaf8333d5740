package org.lorafleet.ps.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.ps.tensor.FloatTensor;

/**
 * The synchronous update rule's arithmetic, shared by single-process training and the parameter
 * server: gradient sums of summed token losses (over micro-batches and workers) are divided by the
 * total token count (exact global mean), optionally clipped to a global L2 norm, then AdamW steps.
 */
public final class MeanGradientStep {

  private MeanGradientStep() {}

  /** What one step did: the gradient norm before clipping and the learning rate used. */
  public record Outcome(double gradNormBeforeClip, double lr) {}

  /**
   * @param gradSums per-parameter sums of d(Σ token losses)/dθ; not modified
   * @param tokens total number of counted tokens behind {@code gradSums}; must be positive
   * @param maxGradNorm clip threshold, or a value ≤ 0 / NaN for no clipping
   */
  public static Outcome apply(AdamW optimizer, Map<String, FloatTensor> params, Map<String, FloatTensor> gradSums,
      long tokens, double lr, double maxGradNorm) {
    if (tokens <= 0) {
      throw new IllegalArgumentException("A step needs at least one counted token; got " + tokens
          + " (are all labels -100?).");
    }
    float inv = (float) (1.0 / tokens);
    Map<String, FloatTensor> mean = new LinkedHashMap<>();
    for (Map.Entry<String, FloatTensor> e : gradSums.entrySet()) {
      float[] src = e.getValue().data();
      float[] dst = new float[src.length];
      for (int i = 0; i < src.length; i++) {
        dst[i] = src[i] * inv;
      }
      mean.put(e.getKey(), new FloatTensor(e.getValue().shape(), dst));
    }
    double norm = maxGradNorm > 0
        ? GradientClipping.clipInPlace(mean.values(), maxGradNorm)
        : GradientClipping.globalNorm(mean.values());
    optimizer.update(params, mean, lr);
    return new Outcome(norm, lr);
  }

  /** Adds {@code add} into {@code acc} element-wise (same names and shapes), creating entries as needed. */
  public static void accumulate(Map<String, FloatTensor> acc, Map<String, FloatTensor> add) {
    for (Map.Entry<String, FloatTensor> e : add.entrySet()) {
      FloatTensor sum = acc.get(e.getKey());
      if (sum == null) {
        acc.put(e.getKey(), e.getValue().copy());
        continue;
      }
      if (!sum.sameShape(e.getValue())) {
        throw new IllegalArgumentException("Gradient '" + e.getKey() + "' has shape " + e.getValue().shapeString()
            + " but earlier ones had " + sum.shapeString() + ".");
      }
      float[] a = sum.data();
      float[] b = e.getValue().data();
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
    }
  }
}
