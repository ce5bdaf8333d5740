package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention with a causal mask on per-head blocks: {@code P = softmax(q·kᵀ·scale
 * + mask)}, {@code o = P·v}. Inputs are [BH, T, d] with BH = batch × heads (keys/values already
 * expanded for grouped-query attention). Right padding needs no extra mask: a position never sees
 * later ones.
 */
public final class CausalAttention {

  private CausalAttention() {}

  /** Saved for backward. */
  public record Saved(INDArray q, INDArray k, INDArray v, INDArray probs, double scale) {}

  /** [T·T] additive mask, 0 on and below the diagonal, -inf above; C order, as one row. */
  public static INDArray causalMask(int seq) {
    float[] m = new float[seq * seq];
    for (int i = 0; i < seq; i++) {
      for (int j = i + 1; j < seq; j++) {
        m[i * seq + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return Nd4j.create(m, new long[] {1, (long) seq * seq}, 'c');
  }

  /** @return o [BH, T, d] */
  public static INDArray forward(INDArray q, INDArray k, INDArray v, double scale, INDArray mask, Saved[] saved) {
    long bh = q.size(0);
    int t = (int) q.size(1);
    INDArray scores = Nd4j.matmul(q, k, null, false, true, false).muli(scale); // [BH, T, T]
    scores.reshape('c', bh, (long) t * t).addiRowVector(mask);
    Nd.softmaxRowsInPlace(scores.reshape('c', bh * t, t));
    INDArray o = Nd4j.matmul(scores, v); // [BH, T, d]
    if (saved != null) {
      saved[0] = new Saved(q, k, v, scores, scale);
    }
    return o;
  }

  /** Gradients of q, k, v given dO [BH, T, d]: {dq, dk, dv}. */
  public static INDArray[] backward(INDArray dO, Saved s) {
    long bh = s.q().size(0);
    int t = (int) s.q().size(1);
    INDArray dP = Nd4j.matmul(dO, s.v(), null, false, true, false); // [BH, T, T]
    INDArray dV = Nd4j.matmul(s.probs(), dO, null, true, false, false); // [BH, T, d]
    // softmax backward: dS = P ⊙ (dP − rowsum(dP ⊙ P))
    INDArray p2 = s.probs().reshape('c', bh * t, t);
    INDArray dP2 = dP.reshape('c', bh * t, t);
    INDArray rowDot = dP2.mul(p2).sum(true, 1);
    dP2.subiColumnVector(rowDot).muli(p2);
    dP.muli(s.scale());
    INDArray dQ = Nd4j.matmul(dP, s.k()); // [BH, T, d]
    INDArray dK = Nd4j.matmul(dP, s.q(), null, true, false, false);
    return new INDArray[] {dQ, dK, dV};
  }
}
