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

  private final INDArray cos; // [BH·T, d] tiled to match [BH, T, d] reshaped to rows
  private final INDArray sin;
  private final int half;

  /** Tables for {@code blocks} = BH head blocks of {@code seq} positions and head size {@code dim}. */
  public Rope(double theta, int dim, int seq, long blocks) {
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
    INDArray c1 = Nd4j.create(c, new long[] {1, seq, dim}, 'c');
    INDArray s1 = Nd4j.create(s, new long[] {1, seq, dim}, 'c');
    cos = c1.broadcast(blocks, seq, dim).reshape('c', blocks * seq, dim);
    sin = s1.broadcast(blocks, seq, dim).reshape('c', blocks * seq, dim);
  }

  /** x [BH, T, d] → rotated copy. */
  public INDArray apply(INDArray x) {
    INDArray rows = x.reshape('c', cos.size(0), cos.size(1));
    INDArray y = rows.mul(cos).addi(rotateHalf(rows).muli(sin));
    return y.reshape('c', x.shape());
  }

  /** Gradient through {@link #apply}: dx = dy·cos + rotate_halfᵀ(dy·sin), rotate_halfᵀ([z1, z2]) = [z2, −z1]. */
  public INDArray backward(INDArray dy) {
    INDArray rows = dy.reshape('c', cos.size(0), cos.size(1));
    INDArray zs = rows.mul(sin);
    INDArray z1 = zs.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half));
    INDArray z2 = zs.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half));
    INDArray dx = rows.mul(cos).addi(Nd4j.hstack(z2, z1.neg()));
    return dx.reshape('c', dy.shape());
  }

  private INDArray rotateHalf(INDArray rows) {
    INDArray x1 = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half));
    INDArray x2 = rows.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half));
    return Nd4j.hstack(x2.neg(), x1);
  }
}
