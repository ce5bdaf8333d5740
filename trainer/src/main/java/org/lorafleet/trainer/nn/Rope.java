package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embedding (Su et al., RoFormer, 2021) in transformers' "rotate_half" layout:
 * {@code y = x·cos + rotate_half(x)·sin}, {@code rotate_half([x1, x2]) = [−x2, x1]}, with
 * {@code inv_freq[i] = theta^(−2i/d)} and positions 0..T−1.
 */
public final class Rope {

  private final INDArray cos; // [1, T·d]: one head block, broadcast over blocks as a row vector
  private final INDArray sin;
  private final int half;
  private final int dim;

  /** Tables for {@code seq} positions and head size {@code dim}. */
  public Rope(double theta, int dim, int seq) {
    this.dim = dim;
    half = dim / 2;
    float[] c = new float[seq * dim];
    float[] s = new float[seq * dim];
    for (int i = 0; i < half; i++) {
      // float32 inv_freq and angle, as transformers computes them
      float invFreq = (float) (1.0 / Math.pow(theta, (2.0 * i) / dim));
      for (int p = 0; p < seq; p++) {
        float angle = (float) p * invFreq;
        float cv = (float) Math.cos(angle);
        float sv = (float) Math.sin(angle);
        c[p * dim + i] = cv;
        c[p * dim + i + half] = cv;
        s[p * dim + i] = sv;
        s[p * dim + i + half] = sv;
      }
    }
    cos = Nd4j.create(c, new long[] {1, (long) seq * dim}, 'c');
    sin = Nd4j.create(s, new long[] {1, (long) seq * dim}, 'c');
  }

  /** x [BH, T, d] → rotated copy. */
  public INDArray apply(INDArray x) {
    INDArray y = blocks(x).mulRowVector(cos); // [BH, T·d]
    y.addi(blocks(rotateHalf(x.reshape('c', x.length() / dim, dim))).muliRowVector(sin));
    return y.reshape('c', x.shape());
  }

  /** Gradient through {@link #apply}: dx = dy·cos + rotate_halfᵀ(dy·sin), rotate_halfᵀ([z1, z2]) = [z2, −z1]. */
  public INDArray backward(INDArray dy) {
    INDArray zs = blocks(dy).mulRowVector(sin).reshape('c', dy.length() / dim, dim); // [BH·T, d]
    INDArray z1 = zs.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half));
    INDArray z2 = zs.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half));
    INDArray dx = blocks(dy).mulRowVector(cos);
    dx.addi(blocks(Nd4j.hstack(z2, z1.neg())));
    return dx.reshape('c', dy.shape());
  }

  /** [BH, T, d] (or [BH·T, d]) → [BH, T·d], a view. */
  private INDArray blocks(INDArray x) {
    return x.reshape('c', x.length() / cos.length(), cos.length());
  }

  /** rows [BH·T, d] → [−x2, x1]. */
  private INDArray rotateHalf(INDArray rows) {
    INDArray x1 = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half));
    INDArray x2 = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half));
    return Nd4j.hstack(x2.neg(), x1);
  }
}
