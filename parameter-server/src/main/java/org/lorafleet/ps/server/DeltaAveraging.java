package org.lorafleet.ps.server;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.Aggregation;
import org.lorafleet.ps.linalg.Dense.Matrix;
import org.lorafleet.ps.linalg.FactoredSvd;

/**
 * The local-sgd rule: token-weighted averaging of workers' weight deltas (FedAvg), with LoRA pairs
 * either averaged factor by factor ({@link Aggregation#MEAN}) or through their products
 * ({@link Aggregation#PRODUCT}). Arithmetic in double, contributions in the order given (the server
 * passes them sorted by worker id), so the result is deterministic.
 */
public final class DeltaAveraging {

  private DeltaAveraging() {}

  /** One worker's deltas and the number of tokens behind them (its weight). */
  public record Contribution(Map<String, FloatTensor> deltas, long tokens) {}

  /**
   * Updates {@code weights} in place.
   *
   * <p>{@code mean}: {@code W += Σ_i t_i·ΔW_i / Σ_i t_i} for every tensor.
   *
   * <p>{@code product}: for each LoRA pair, with worker factors {@code A_i = A + ΔA_i},
   * {@code B_i = B + ΔB_i} and weights {@code w_i = t_i / Σ t}, the new factors are the rank-r
   * truncated SVD of {@code Σ_i w_i·B_i·A_i}, split evenly between B and A (see {@link FactoredSvd}
   * for the method and its cost). Other tensors are averaged as in {@code mean}.
   */
  public static void apply(Map<String, FloatTensor> weights, List<Contribution> contributions,
      Aggregation aggregation) {
    long total = 0;
    for (Contribution c : contributions) {
      total += c.tokens();
    }
    if (total <= 0) {
      throw new IllegalArgumentException("Averaging needs a positive total token count, got " + total + ".");
    }
    Set<String> done = new HashSet<>();
    if (aggregation == Aggregation.PRODUCT) {
      for (LoraPairs.Pair pair : LoraPairs.find(weights)) {
        averageProduct(weights, contributions, total, pair);
        done.add(pair.aName());
        done.add(pair.bName());
      }
    }
    for (Map.Entry<String, FloatTensor> e : weights.entrySet()) {
      if (!done.contains(e.getKey())) {
        averageMean(e.getKey(), e.getValue().data(), contributions, total);
      }
    }
  }

  private static void averageMean(String name, float[] w, List<Contribution> contributions, long total) {
    double[] acc = new double[w.length];
    for (Contribution c : contributions) {
      double t = c.tokens();
      float[] d = c.deltas().get(name).data();
      for (int i = 0; i < w.length; i++) {
        acc[i] += t * d[i];
      }
    }
    double inv = 1.0 / total;
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (w[i] + acc[i] * inv);
    }
  }

  private static void averageProduct(Map<String, FloatTensor> weights, List<Contribution> contributions,
      long total, LoraPairs.Pair pair) {
    int r = pair.rank();
    int in = pair.in();
    int out = pair.out();
    int n = contributions.size();
    float[] a0 = weights.get(pair.aName()).data();
    float[] b0 = weights.get(pair.bName()).data();
    Matrix p = Matrix.zeros(out, n * r); // [√w_1·B_1 | … | √w_N·B_N]
    Matrix q = Matrix.zeros(n * r, in); // [√w_1·A_1; …; √w_N·A_N]
    for (int k = 0; k < n; k++) {
      Contribution c = contributions.get(k);
      double root = Math.sqrt((double) c.tokens() / total);
      float[] da = c.deltas().get(pair.aName()).data();
      float[] db = c.deltas().get(pair.bName()).data();
      for (int i = 0; i < out; i++) {
        for (int j = 0; j < r; j++) {
          int src = i * r + j;
          p.set(i, k * r + j, root * ((double) b0[src] + db[src]));
        }
      }
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < in; j++) {
          int src = i * in + j;
          q.set(k * r + i, j, root * ((double) a0[src] + da[src]));
        }
      }
    }
    FactoredSvd.Factors f = FactoredSvd.truncate(p, q, r);
    for (int i = 0; i < out; i++) {
      for (int j = 0; j < r; j++) {
        b0[i * r + j] = (float) f.b().get(i, j);
      }
    }
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < in; j++) {
        a0[i * in + j] = (float) f.a().get(i, j);
      }
    }
  }
}
