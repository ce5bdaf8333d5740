package org.lorafleet.math.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.tensor.FloatTensor;

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
   * One step in place on {@code params}.
   *
   * @param gradSums per-parameter sums of d(Σ token losses)/dθ; not modified
   * @param tokens total number of counted tokens behind {@code gradSums}; must be positive
   * @param maxGradNorm clip threshold, or a value ≤ 0 / NaN for no clipping
   */
  public static Outcome apply(AdamW optimizer, Map<String, FloatTensor> params, Map<String, FloatTensor> gradSums,
      long tokens, double lr, double maxGradNorm) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((k, t) -> out.put(k, t.data()));
    return step(optimizer, params, List.of(gradSums), tokens, lr, maxGradNorm, out);
  }

  /**
   * One step on the total of several gradient sums, added in list order (the order fixes the float
   * result), leaving {@code params} untouched and writing the new parameters into {@code into}
   * (same names and sizes; their old content is ignored). The first map's arrays are overwritten
   * with the total (the caller owns them); the others are read only. Same arithmetic as {@link
   * #accumulate} followed by {@link #apply}, bit for bit, in fewer passes.
   */
  public static Outcome applyInto(AdamW optimizer, Map<String, FloatTensor> params,
      List<Map<String, FloatTensor>> gradSums, long tokens, double lr, double maxGradNorm,
      Map<String, FloatTensor> into) {
    Map<String, float[]> out = new LinkedHashMap<>();
    into.forEach((k, t) -> out.put(k, t.data()));
    return step(optimizer, params, gradSums, tokens, lr, maxGradNorm, out);
  }

  /**
   * Pass 1 (parallel chunks): total = Σ sums into the first map, and Σ (total/tokens)² per chunk in
   * double ({@link #sumOfSquares}), combined in chunk order; pass 2: AdamW on total · (1/tokens) ·
   * clip coefficient.
   */
  private static Outcome step(AdamW optimizer, Map<String, FloatTensor> params,
      List<Map<String, FloatTensor>> gradSums, long tokens, double lr, double maxGradNorm, Map<String, float[]> out) {
    if (tokens <= 0) {
      throw new IllegalArgumentException("A step needs at least one counted token; got " + tokens
          + " (are all labels -100?).");
    }
    Map<String, FloatTensor> first = gradSums.get(0);
    int n = first.size();
    float[][] acc = new float[n][];
    float[][][] others = new float[n][gradSums.size() - 1][];
    int[] lengths = new int[n];
    long total = 0;
    int a = 0;
    for (Map.Entry<String, FloatTensor> e : first.entrySet()) {
      acc[a] = e.getValue().data();
      for (int k = 1; k < gradSums.size(); k++) {
        FloatTensor t = gradSums.get(k).get(e.getKey());
        if (t == null || !t.sameShape(e.getValue())) {
          throw new IllegalArgumentException("Gradient '" + e.getKey() + "' has shape "
              + (t == null ? "(missing)" : t.shapeString()) + " in sum " + k + " but " + e.getValue().shapeString()
              + " in the first.");
        }
        others[a][k - 1] = t.data();
      }
      lengths[a] = acc[a].length;
      total += lengths[a];
      a++;
    }
    float inv = (float) (1.0 / tokens);
    List<Chunked.Chunk> chunks = Chunked.cut(lengths);
    double[] partial = new double[chunks.size()];
    Chunked.run(chunks, total, c -> {
      float[] s = acc[c.array()];
      for (float[] b : others[c.array()]) { // worker order: ((g0 + g1) + g2) + … per element
        for (int i = c.from(); i < c.to(); i++) {
          s[i] += b[i];
        }
      }
      partial[c.index()] = sumOfSquares(s, c.from(), c.to(), inv);
    });
    double sq = 0;
    for (double p : partial) {
      sq += p;
    }
    double norm = Math.sqrt(sq);
    double coef = maxGradNorm / (norm + 1e-6); // torch.nn.utils.clip_grad_norm_
    float clipCoef = maxGradNorm > 0 && coef < 1 ? (float) coef : 1f;
    optimizer.update(params, first, inv, clipCoef, lr, out);
    return new Outcome(norm, lr);
  }

  /**
   * Σ (x[i]·scale)² over [from, to) in double, with the products rounded to float first (the mean
   * gradient's values). Four interleaved partial sums, combined as (s0 + s1) + (s2 + s3): a fixed
   * order, so the result is reproducible, and 1.7× faster here than one serial sum.
   */
  static double sumOfSquares(float[] x, int from, int to, float scale) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      float m0 = x[i] * scale;
      float m1 = x[i + 1] * scale;
      float m2 = x[i + 2] * scale;
      float m3 = x[i + 3] * scale;
      s0 += (double) m0 * m0;
      s1 += (double) m1 * m1;
      s2 += (double) m2 * m2;
      s3 += (double) m3 * m3;
    }
    for (; i < to; i++) {
      float m = x[i] * scale;
      s0 += (double) m * m;
    }
    return (s0 + s1) + (s2 + s3);
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
