package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Scaled dot-product attention with a causal (optionally sliding-window) mask on per-head blocks:
 * {@code P = softmax(q·kᵀ·scale + mask)}, {@code o = P·v}. Keys and values are [BK, T, d] with
 * BK = batch × key/value heads; the queries of the G heads sharing one key/value head
 * (grouped-query attention, G = 1 otherwise) are stacked as [BK, G·T, d], which is [B·heads, T, d]
 * reshaped for free. So keys/values are never copied G times, and their gradients come out summed
 * over the group. Right padding needs no extra mask: a position never sees later ones.
 *
 * <p>Training runs blockwise, as FlashAttention (Dao et al., 2022) does: queries are taken in
 * chunks of positions, each chunk only meets the keys it can see (causal and window limits), and
 * only the output and each row's log-sum-exp are kept. Backward recomputes the probabilities chunk
 * by chunk from them, so memory is O(T·d) per head plus one chunk's scores instead of the [T, T]
 * probabilities; the values are the same to float rounding.
 */
public final class CausalAttention {

  private CausalAttention() {}

  /** Saved for backward: inputs, output o [BK, G·T, d] and the rows' log-sum-exp [BK, G·T]. */
  public record Saved(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, double scale, int group,
      int window, int chunk) {}

  /** Full causal mask for G stacked query blocks, float32 (generation and tests). */
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
        if (!visible(q, k, window)) {
          m[i * seq + k] = Double.NEGATIVE_INFINITY;
        }
      }
    }
    return Nd4j.create(m, new long[] {1, (long) group * seq * seq}, 'c').castTo(type);
  }

  private static boolean visible(int query, int key, int window) {
    return key <= query && (window <= 0 || key > query - window);
  }

  /**
   * @param q [BK, G·T, d] @param k [BK, T, d] @param v [BK, T, d]
   * @param window sliding window (0: full causal attention)
   * @return o [BK, G·T, d]
   */
  public static INDArray forward(INDArray q, INDArray k, INDArray v, double scale, int group, int window,
      Saved[] saved) {
    return forward(q, k, v, scale, group, window, chunkPositions(k.size(0) * group, (int) k.size(1)), saved);
  }

  /** {@link #forward} with query chunks of {@code c} positions (tests force several chunks). */
  static INDArray forward(INDArray q, INDArray k, INDArray v, double scale, int group, int window, int c,
      Saved[] saved) {
    long bk = k.size(0);
    int t = (int) k.size(1);
    long d = k.size(2);
    INDArray out = Nd4j.create(q.dataType(), bk, (long) group * t, d);
    INDArray lse = Nd4j.create(q.dataType(), bk, group, t);
    for (int p0 = 0; p0 < t; p0 += c) {
      int p1 = Math.min(t, p0 + c);
      int lo = firstKey(p0, window);
      try (MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
        INDArray qc = rows(q, group, t, p0, p1); // [BK, G·c, d]
        INDArray s = scores(qc, keys(k, lo, p1), scale, group, p0, p1, lo, window); // [BK, G·c, L]
        INDArray s2 = s.reshape('c', s.length() / (p1 - lo), p1 - lo);
        INDArray rowMax = s2.max(true, 1);
        Nd.softmaxRowsInPlace(s2);
        // log-sum-exp = max − log p(arg max), as p there is exp(0)/Σ ≥ 1/L: no second exp pass
        INDArray rowLse = rowMax.subi(Transforms.log(s2.max(true, 1), false));
        lseView(lse, p0, p1).assign(rowLse.reshape('c', bk, group, p1 - p0));
        INDArray oc = Nd4j.matmul(s, keys(v, lo, p1)); // [BK, G·c, d]
        rowsView(out, group, t, p0, p1).assign(oc.reshape('c', bk, group, p1 - p0, d));
      }
    }
    if (saved != null) {
      saved[0] = new Saved(q, k, v, out, lse, scale, group, window, c);
    }
    return out;
  }

  /** Gradients of q, k, v given dO [BK, G·T, d]: {dq [BK, G·T, d], dk [BK, T, d], dv [BK, T, d]}. */
  public static INDArray[] backward(INDArray dO, Saved s) {
    int group = s.group();
    long bk = s.k().size(0);
    int t = (int) s.k().size(1);
    long d = s.k().size(2);
    // D_i = Σ_j P_ij·dP_ij = dO_i · o_i: the softmax backward's row term, without P
    INDArray rowDot = dO.mul(s.out()).sum(2).reshape('c', bk, group, t); // [BK, G, T]
    INDArray dQ = Nd4j.create(s.q().dataType(), bk, (long) group * t, d);
    INDArray dK = Nd4j.create(s.k().dataType(), bk, t, d);
    INDArray dV = Nd4j.create(s.v().dataType(), bk, t, d);
    int c = s.chunk();
    for (int p0 = 0; p0 < t; p0 += c) {
      int p1 = Math.min(t, p0 + c);
      int lo = firstKey(p0, s.window());
      int keys = p1 - lo;
      try (MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
        INDArray qc = rows(s.q(), group, t, p0, p1); // [BK, G·c, d]
        INDArray dOc = rows(dO, group, t, p0, p1);
        INDArray kc = keys(s.k(), lo, p1); // [BK, L, d]
        INDArray vc = keys(s.v(), lo, p1);
        INDArray p = scores(qc, kc, s.scale(), group, p0, p1, lo, s.window()); // [BK, G·c, L]
        INDArray p2 = p.reshape('c', p.length() / keys, keys);
        p2.subiColumnVector(lseView(s.lse(), p0, p1).dup('c').reshape('c', p2.size(0), 1));
        Transforms.exp(p2, false); // P, recomputed
        keys(dV, lo, p1).addi(Nd4j.matmul(p, dOc, null, true, false, false)); // [BK, L, d]
        INDArray dP = Nd4j.matmul(dOc, vc, null, false, true, false); // [BK, G·c, L]
        INDArray dP2 = dP.reshape('c', dP.length() / keys, keys);
        dP2.subiColumnVector(lseView(rowDot, p0, p1).dup('c').reshape('c', dP2.size(0), 1)).muli(p2)
            .muli(s.scale()); // dS = P ⊙ (dP − D)·scale
        rowsView(dQ, group, t, p0, p1).assign(Nd4j.matmul(dP, kc).reshape('c', bk, group, p1 - p0, d));
        keys(dK, lo, p1).addi(Nd4j.matmul(dP, qc, null, true, false, false));
      }
    }
    return new INDArray[] {dQ, dK, dV};
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

  /** Query positions per chunk so that one chunk's scores [BK, G·c, T] stay within {@link ChunkSizes#attention()}. */
  static int chunkPositions(long rowsPerPosition, int t) {
    long c = ChunkSizes.attention() / Math.max(1, rowsPerPosition * t);
    return (int) Math.max(1, Math.min(t, c));
  }

  /** The first key a query chunk starting at {@code p0} can see. */
  private static int firstKey(int p0, int window) {
    return window > 0 ? Math.max(0, p0 - window + 1) : 0;
  }

  /** Scores of a query chunk over keys [lo, p1), scaled and masked: [BK, G·c, L]. */
  private static INDArray scores(INDArray qc, INDArray kc, double scale, int group, int p0, int p1, int lo,
      int window) {
    INDArray s = Nd4j.matmul(qc, kc, null, false, true, false).muli(scale);
    int c = p1 - p0;
    int keys = p1 - lo;
    double[] m = new double[c * keys];
    boolean any = false;
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < keys; j++) {
        if (!visible(p0 + i, lo + j, window)) {
          m[i * keys + j] = Double.NEGATIVE_INFINITY;
          any = true;
        }
      }
    }
    if (any) {
      INDArray mask = Nd4j.create(m, new long[] {1, (long) c * keys}, 'c').castTo(s.dataType());
      s.reshape('c', s.size(0) * group, (long) c * keys).addiRowVector(mask);
    }
    return s;
  }

  /** Positions [p0, p1) of every query block of x [BK, G·T, d], as a new [BK, G·c, d] array. */
  private static INDArray rows(INDArray x, int group, int t, int p0, int p1) {
    return rowsView(x, group, t, p0, p1).dup('c').reshape('c', x.size(0), (long) group * (p1 - p0), x.size(2));
  }

  /** The view [BK, G, c, d] of positions [p0, p1) of x [BK, G·T, d]. */
  private static INDArray rowsView(INDArray x, int group, int t, int p0, int p1) {
    return x.reshape('c', x.size(0), group, t, x.size(2)).get(NDArrayIndex.all(), NDArrayIndex.all(),
        NDArrayIndex.interval(p0, p1), NDArrayIndex.all());
  }

  /** The view [BK, G, c] of positions [p0, p1) of a per-row array [BK, G, T]. */
  private static INDArray lseView(INDArray x, int p0, int p1) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(p0, p1));
  }

  /** Keys [lo, p1) of x [BK, T, d]: a view (callers copy it where an op needs a contiguous array). */
  private static INDArray keys(INDArray x, int lo, int p1) {
    INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.interval(lo, p1), NDArrayIndex.all()};
    return x.get(idx);
  }
}
