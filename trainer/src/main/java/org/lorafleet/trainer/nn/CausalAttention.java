package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention with a causal (optionally sliding-window) mask on per-head blocks:
 * {@code P = softmax(q·kᵀ·scale + mask)}, {@code o = P·v}. Keys and
 * values are [BK, T, d] with BK = batch × key/value heads; the queries of the G heads sharing one
 * key/value head (grouped-query attention, G = 1 otherwise) are stacked as [BK, G·T, d], which is
 * [B·heads, T, d] reshaped for free. So keys/values are never copied G times, and their gradients
 * come out summed over the group. Right padding needs no extra mask: a position never sees later
 * ones.
 */
public final class CausalAttention {

  private CausalAttention() {}

  /** Saved for backward. */
  public record Saved(INDArray q, INDArray k, INDArray v, INDArray probs, double scale) {}

  /** Full causal mask for G stacked query blocks, float32. */
  public static INDArray causalMask(int seq, int group) {
    return causalMask(seq, group, 0, DataType.FLOAT);
  }

  /**
   * [1, G·T·T] additive mask for G stacked query blocks: row i (position q = i mod T) is 0 for keys
   * k with {@code q − window < k ≤ q} (any k ≤ q when {@code window == 0}) and −∞ elsewhere; C order.
   * A sliding query thus sees {@code window} positions, itself included, as transformers'
   * sliding-window mask ({@code kv_idx > q_idx − sliding_window}).
   */
  public static INDArray causalMask(int seq, int group, int window, DataType type) {
    double[] m = new double[group * seq * seq];
    for (int i = 0; i < group * seq; i++) {
      int q = i % seq;
      for (int k = 0; k < seq; k++) {
        boolean visible = k <= q && (window <= 0 || k > q - window);
        if (!visible) {
          m[i * seq + k] = Double.NEGATIVE_INFINITY;
        }
      }
    }
    return Nd4j.create(m, new long[] {1, (long) group * seq * seq}, 'c').castTo(type);
  }

  /**
   * @param q [BK, G·T, d] @param k [BK, T, d] @param v [BK, T, d] @param mask {@link #causalMask}(T, G, …)
   * @return o [BK, G·T, d]
   */
  public static INDArray forward(INDArray q, INDArray k, INDArray v, double scale, INDArray mask, Saved[] saved) {
    long bk = q.size(0);
    long rows = q.size(1); // G·T
    long t = k.size(1);
    INDArray scores = Nd4j.matmul(q, k, null, false, true, false).muli(scale); // [BK, G·T, T]
    scores.reshape('c', bk, rows * t).addiRowVector(mask);
    Nd.softmaxRowsInPlace(scores.reshape('c', bk * rows, t));
    INDArray o = Nd4j.matmul(scores, v); // [BK, G·T, d]
    if (saved != null) {
      saved[0] = new Saved(q, k, v, scores, scale);
    }
    return o;
  }

  /**
   * Attention of new queries over cached keys and values (generation, no gradients).
   *
   * @param q [BK, G·n, d] the new positions' queries @param k [BK, L, d] @param v [BK, L, d]
   * @param mask [1, G·n·L] additive mask of those queries over the L keys
   * @return o [BK, G·n, d]
   */
  public static INDArray forwardCached(INDArray q, INDArray k, INDArray v, double scale, INDArray mask) {
    long bk = q.size(0);
    long rows = q.size(1);
    long t = k.size(1);
    INDArray scores = Nd4j.matmul(q, k, null, false, true, false).muli(scale); // [BK, G·n, L]
    scores.reshape('c', bk, rows * t).addiRowVector(mask);
    Nd.softmaxRowsInPlace(scores.reshape('c', bk * rows, t));
    return Nd4j.matmul(scores, v);
  }

  /** Gradients of q, k, v given dO [BK, G·T, d]: {dq [BK, G·T, d], dk [BK, T, d], dv [BK, T, d]}. */
  public static INDArray[] backward(INDArray dO, Saved s) {
    long bk = s.q().size(0);
    long rows = s.q().size(1);
    long t = s.k().size(1);
    INDArray dP = Nd4j.matmul(dO, s.v(), null, false, true, false); // [BK, G·T, T]
    INDArray dV = Nd4j.matmul(s.probs(), dO, null, true, false, false); // [BK, T, d]
    // softmax backward: dS = P ⊙ (dP − rowsum(dP ⊙ P))
    INDArray p2 = s.probs().reshape('c', bk * rows, t);
    INDArray dP2 = dP.reshape('c', bk * rows, t);
    INDArray rowDot = dP2.mul(p2).sum(true, 1);
    dP2.subiColumnVector(rowDot).muli(p2);
    dP.muli(s.scale());
    INDArray dQ = Nd4j.matmul(dP, s.k()); // [BK, G·T, d]
    INDArray dK = Nd4j.matmul(dP, s.q(), null, true, false, false);
    return new INDArray[] {dQ, dK, dV};
  }
}
