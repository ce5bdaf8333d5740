package org.lorafleet.trainer.model;

import org.lorafleet.trainer.nn.OneDnnMatmul;
import org.lorafleet.trainer.nn.ChunkSizes;
import org.lorafleet.trainer.nn.CrossEntropy;
import org.lorafleet.trainer.nn.Scratch;
import org.lorafleet.trainer.nn.Softcap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The frozen vocabulary head and the cross-entropy after it, in chunks so the [N, V] logits (or
 * their gradient) never exist whole: 128k–262k-token vocabularies would otherwise cost gigabytes
 * at a few thousand positions.
 *
 * <p>A float32 head goes through in chunks of rows, each chunk meeting the whole vocabulary (one
 * pass). A bfloat16/float16 head is upcast one slice of vocabulary rows at a time; the loss is then
 * an online log-sum-exp over the slices, and backward recomputes each slice's logits (two passes),
 * so no float32 copy of the head exists either. A bfloat16 head marked for the bfloat16 kernel
 * ({@code train.precision: bf16}) goes through in one pass like a float32 one, its products in
 * {@link OneDnnMatmul}.
 */
final class LmHead {

  private final INDArray head; // [V, H], float32, bfloat16 or float16
  private final double softcap; // 0: none
  private final int vocab;
  private final boolean bf16Kernel; // products in OneDnnMatmul
  private final boolean full; // float32 head, or one multiplied by the bf16 kernel: no slicing needed

  LmHead(INDArray head, double softcap, boolean bf16Kernel) {
    this.head = head;
    this.softcap = softcap;
    this.vocab = (int) head.size(0);
    this.bf16Kernel = bf16Kernel && head.dataType() == DataType.BFLOAT16;
    this.full = this.bf16Kernel || head.dataType() == DataType.FLOAT || head.dataType() == DataType.DOUBLE;
  }

  boolean bf16Kernel() {
    return bf16Kernel;
  }

  /** Vocabulary rows per float32 slice of the head ({@link ChunkSizes#headSlice()}); all of them for a float32 head. */
  private int sliceRows() {
    return full ? vocab : (int) Math.max(1, Math.min(vocab, ChunkSizes.headSlice() / head.size(1)));
  }

  INDArray weight() {
    return head;
  }

  /** Logits [N, V] of hidden states [N, H], soft-capped where the model sets it (evaluation, generation). */
  INDArray logits(INDArray hidden) {
    int sliceRows = sliceRows();
    if (full) {
      return cap(logitsOf(hidden, head));
    }
    INDArray out = Nd4j.create(DataType.FLOAT, hidden.size(0), vocab);
    for (int v0 = 0; v0 < vocab; v0 += sliceRows) {
      int v1 = Math.min(vocab, v0 + sliceRows);
      try (MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(v0, v1)).assign(cap(Nd4j.gemm(hidden, slice(v0, v1), false,
            true)));
      }
    }
    return out;
  }

  /** Summed loss, counted tokens and (when asked) d(sum)/d(hidden) [N, H]. */
  record Result(double lossSum, long tokens, INDArray dHidden) {}

  /**
   * @param hidden [N, H] final-norm output @param targets per row ({@link CrossEntropy#targets}, −1 ignored)
   */
  Result loss(INDArray hidden, int[] targets, boolean withGrad) {
    int n = (int) hidden.size(0);
    INDArray dHidden = withGrad ? Nd4j.create(hidden.dataType(), n, hidden.size(1)) : null;
    int sliceRows = sliceRows();
    int rowsPerChunk = ChunkSizes.logitRows(n, sliceRows);
    double lossSum = 0;
    long tokens = 0;
    for (int r0 = 0; r0 < n; r0 += rowsPerChunk) {
      int r1 = Math.min(n, r0 + rowsPerChunk);
      INDArray h = hidden.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all()); // [c, H]
      INDArray dh = withGrad ? dHidden.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.all()) : null;
      CrossEntropy.Result r = sliceRows == vocab ? onePass(h, targets, r0, dh)
          : slicedPasses(h, targets, r0, dh, sliceRows);
      // (a half-precision head small enough for one slice also takes the one-pass route)
      lossSum += r.lossSum();
      tokens += r.tokens();
    }
    return new Result(lossSum, tokens, dHidden);
  }

  /** Rows [r0, r0+c) against the whole head (float32, or upcast once per chunk when it fits one slice); writes their d(hidden) into {@code dh} when given. */
  private CrossEntropy.Result onePass(INDArray h, int[] targets, int r0, INDArray dh) {
    try (MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
      INDArray w = bf16Kernel ? head : slice(0, vocab); // [V, H]: the head itself, or one float32 copy
      INDArray z = logitsOf(h, w); // [c, V]
      INDArray tanh = null;
      if (softcap > 0) {
        tanh = z;
        z = Softcap.forwardInPlace(z, softcap);
      }
      CrossEntropy.Result r = CrossEntropy.rows(z, targets, r0, dh != null, // a row whose p_t underflows: its logits again
          i -> cap(logitsOf(h.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all()), w)));
      if (dh != null) {
        INDArray dz = tanh == null ? r.dLogits() : Softcap.backward(r.dLogits(), tanh);
        dh.assign(bf16Kernel ? OneDnnMatmul.mm(dz, w, false) : Nd4j.gemm(dz, w, false, false));
      }
      return new CrossEntropy.Result(r.lossSum(), r.tokens(), null);
    }
  }

  /** Rows [r0, r0+c) against the head slice by slice: online log-sum-exp, then recomputed gradients. */
  private CrossEntropy.Result slicedPasses(INDArray h, int[] targets, int r0, INDArray dh, int sliceRows) {
    int c = (int) h.size(0);
    double[] max = new double[c];
    double[] sum = new double[c];
    double[] zt = new double[c];
    java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (int v0 = 0; v0 < vocab; v0 += sliceRows) {
      int v1 = Math.min(vocab, v0 + sliceRows);
      try (MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
        INDArray z = cap(Nd4j.gemm(h, slice(v0, v1), false, true)); // [c, s]
        for (int i = 0; i < c; i++) {
          int t = targets[r0 + i];
          if (t >= v0 && t < v1) {
            zt[i] = z.getDouble(i, t - v0);
          }
        }
        double[] sliceMax = z.max(1).toDoubleVector();
        double[] newMax = new double[c];
        for (int i = 0; i < c; i++) {
          newMax[i] = Math.max(max[i], sliceMax[i]);
          sum[i] *= Math.exp(max[i] - newMax[i]);
          max[i] = newMax[i];
        }
        z.subiColumnVector(column(newMax));
        double[] sliceSum = Transforms.exp(z, false).sum(1).toDoubleVector();
        for (int i = 0; i < c; i++) {
          sum[i] += sliceSum[i];
        }
      }
    }
    double[] lse = new double[c];
    double lossSum = 0;
    long tokens = 0;
    double[] keep = new double[c];
    for (int i = 0; i < c; i++) {
      lse[i] = max[i] + Math.log(sum[i]);
      if (targets[r0 + i] >= 0) {
        lossSum += lse[i] - zt[i];
        tokens++;
        keep[i] = 1;
      }
    }
    if (dh != null) {
      for (int v0 = 0; v0 < vocab; v0 += sliceRows) {
        int v1 = Math.min(vocab, v0 + sliceRows);
        try (MemoryWorkspace ws = Scratch.open(Scratch.Level.CHUNK)) {
          INDArray w = slice(v0, v1); // [s, H]
          INDArray z = Nd4j.gemm(h, w, false, true); // [c, s]
          INDArray tanh = null;
          if (softcap > 0) {
            tanh = z;
            z = Softcap.forwardInPlace(z, softcap);
          }
          INDArray p = Transforms.exp(z.subiColumnVector(column(lse)), false); // softmax over the whole vocabulary
          for (int i = 0; i < c; i++) {
            int t = targets[r0 + i];
            if (t >= v0 && t < v1) {
              p.putScalar(i, t - v0, p.getDouble(i, t - v0) - 1);
            }
          }
          p.muliColumnVector(column(keep)); // ignored rows get no gradient
          INDArray dz = tanh == null ? p : Softcap.backward(p, tanh);
          dh.addi(Nd4j.gemm(dz, w, false, false));
        }
      }
    }
    return new CrossEntropy.Result(lossSum, tokens, null);
  }

  /** h [c, H] · wᵀ → [c, s] (w: the head or a float32 slice of it). */
  private INDArray logitsOf(INDArray h, INDArray w) {
    return bf16Kernel ? OneDnnMatmul.mm(h, w, true) : Nd4j.gemm(h, w, false, true);
  }

  /** Vocabulary rows [v0, v1) of the head as float32 [s, H] (a view for a float32 head). */
  private INDArray slice(int v0, int v1) {
    INDArray s = head.get(NDArrayIndex.interval(v0, v1), NDArrayIndex.all());
    return s.dataType() == DataType.FLOAT || s.dataType() == DataType.DOUBLE ? s : s.castTo(DataType.FLOAT);
  }

  private INDArray cap(INDArray logits) {
    return softcap > 0 ? Softcap.forwardInPlace(logits, softcap) : logits;
  }

  private static INDArray column(double[] values) {
    return Nd4j.create(values, new long[] {values.length, 1}, 'c').castTo(DataType.FLOAT);
  }
}
