package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embedding (Su et al., RoFormer, 2021) in transformers' "rotate_half" layout:
 * {@code y = x·cos + rotate_half(x)·sin}, {@code rotate_half([x1, x2]) = [−x2, x1]}, on the first
 * {@code rotaryDim} values of each head (partial rotary; the rest pass through), with
 * {@code cos = cos(p·inv_freq)·attentionFactor} and {@code sin} likewise, positions 0..T−1. The
 * inverse frequencies and the attention factor come from the model's RoPE variant
 * ({@code org.lorafleet.trainer.model.RopeParameters}).
 */
public final class Rope {

  private final INDArray cos; // [1, T·d]: one head block, broadcast over blocks as a row vector
  private final INDArray sinSigned; // [1, T·d]: −sin on the first rotary half, +sin on the second, 0 after
  private final int half; // rotaryDim / 2
  private final int dim; // head size d

  /**
   * Tables for {@code seq} positions and head size {@code dim}.
   *
   * @param invFreq rotaryDim / 2 inverse frequencies (float32, as transformers holds them)
   * @param attentionFactor multiplies cos and sin (1 except for yarn and longrope)
   */
  public Rope(float[] invFreq, double attentionFactor, int dim, int seq) {
    this(invFreq, attentionFactor, dim, seq, 0, DataType.FLOAT);
  }

  /** Tables for positions {@code first}..{@code first + seq − 1} (generation with a KV cache). */
  public Rope(float[] invFreq, double attentionFactor, int dim, int seq, int first) {
    this(invFreq, attentionFactor, dim, seq, first, DataType.FLOAT);
  }

  /** As {@link #Rope(float[], double, int, int)}, with tables of {@code type} (DOUBLE for gradient checks). */
  public Rope(float[] invFreq, double attentionFactor, int dim, int seq, DataType type) {
    this(invFreq, attentionFactor, dim, seq, 0, type);
  }

  private Rope(float[] invFreq, double attentionFactor, int dim, int seq, int first, DataType type) {
    if (2 * invFreq.length > dim) {
      throw new IllegalArgumentException("RoPE rotates " + 2 * invFreq.length + " values of a head of " + dim + ".");
    }
    this.dim = dim;
    half = invFreq.length;
    float scale = (float) attentionFactor;
    double[] c = new double[seq * dim];
    double[] s = new double[seq * dim];
    for (int p = 0; p < seq; p++) {
      for (int i = 0; i < half; i++) {
        // float32 angle (position × inv_freq) and cos/sin, as transformers computes them
        float angle = (float) (p + first) * invFreq[i];
        float cv = (float) Math.cos(angle) * scale;
        float sv = (float) Math.sin(angle) * scale;
        c[p * dim + i] = cv;
        c[p * dim + i + half] = cv;
        s[p * dim + i] = -sv;
        s[p * dim + i + half] = sv;
      }
      for (int i = 2 * half; i < dim; i++) {
        c[p * dim + i] = 1; // pass-through part of a partial rotary head
      }
    }
    cos = Nd4j.create(c, new long[] {1, (long) seq * dim}, 'c').castTo(type);
    sinSigned = Nd4j.create(s, new long[] {1, (long) seq * dim}, 'c').castTo(type);
  }

  /**
   * x [BH, T, d] → rotated copy: x·cos + rotate_half(x)·sin = x·cos + swap(x)·sinSigned, where
   * swap([x1, x2, rest]) = [x2, x1, 0] and sinSigned = [−sin, sin, 0].
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

  /** Rows of d → [x2, x1, 0] per row (halves of the rotary part swapped); strided copies, no concat. */
  private INDArray swapHalves(INDArray x) {
    INDArray in = x.reshape('c', x.length() / dim, dim); // [R, d]
    INDArray out = 2 * half == dim ? Nd4j.createUninitialized(x.dataType(), in.shape(), 'c')
        : Nd4j.zeros(x.dataType(), in.shape());
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half))
        .assign(in.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half)));
    out.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half))
        .assign(in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)));
    return out;
  }
}
