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
  private final INDArray sinSigned; // [1, T·d]: −sin on the first half of each d, +sin on the second
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
        s[p * dim + i] = -sv;
        s[p * dim + i + half] = sv;
      }
    }
    cos = Nd4j.create(c, new long[] {1, (long) seq * dim}, 'c');
    sinSigned = Nd4j.create(s, new long[] {1, (long) seq * dim}, 'c');
  }

  /**
   * x [BH, T, d] → rotated copy: x·cos + rotate_half(x)·sin = x·cos + swap(x)·sinSigned, where
   * swap([x1, x2]) = [x2, x1] and sinSigned = [−sin, sin] (both halves of the tables are equal).
   */
  public INDArray apply(INDArray x) {
    INDArray y = blocks(x).mulRowVector(cos); // [BH, T·d]
    return y.addi(blocks(swapHalves(x)).muliRowVector(sinSigned)).reshape('c', x.shape());
  }

  /** Gradient through {@link #apply}: dx = dy·cos + rotate_halfᵀ(dy·sin) = dy·cos − swap(dy)·sinSigned. */
  public INDArray backward(INDArray dy) {
    INDArray dx = blocks(dy).mulRowVector(cos);
    return dx.subi(blocks(swapHalves(dy)).muliRowVector(sinSigned)).reshape('c', dy.shape());
  }

  /** [BH, T·d] view of [BH, T, d] (or of any array holding whole blocks of T rows of d). */
  private INDArray blocks(INDArray x) {
    return x.reshape('c', x.length() / cos.length(), cos.length());
  }

  /** rows of d → [x2, x1] per row; two strided copies, no concat. */
  private INDArray swapHalves(INDArray x) {
    INDArray in = x.reshape('c', x.length() / dim, 2, half); // [R, 2, d/2]
    INDArray out = Nd4j.createUninitialized(x.dataType(), in.shape(), 'c');
    out.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
        .assign(in.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()));
    out.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all())
        .assign(in.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()));
    return out;
  }
}
