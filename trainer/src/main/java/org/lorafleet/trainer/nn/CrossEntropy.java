package org.lorafleet.trainer.nn;

import java.util.function.IntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;

/**
 * Causal-LM cross-entropy as transformers computes it: position t of row b predicts
 * {@code labels[b, t+1]}; positions whose next label is -100 (and the last position) are ignored.
 * Returns the <em>sum</em> of token losses and the token count separately, so that micro-batches
 * and workers can be combined exactly (mean = total sum / total count).
 */
public final class CrossEntropy {

  public static final long IGNORE_INDEX = -100;

  /** Below this p_t, −log p_t loses precision (subnormal floats): the loss comes from the log-sum-exp. */
  private static final float TINY = 1e-30f;

  private CrossEntropy() {}

  /**
   * The target of each row of a [B·T] batch: the next position's label, or −1 where it is ignored
   * (−100, or the last position of a row); fails naming a label outside the vocabulary.
   */
  public static int[] targets(long[] labels, int batch, int seq, int vocab) {
    int[] target = new int[batch * seq];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < seq; t++) {
        int row = b * seq + t;
        long next = t + 1 < seq ? labels[row + 1] : IGNORE_INDEX;
        if (next == IGNORE_INDEX) {
          target[row] = -1;
          continue;
        }
        if (next < 0 || next >= vocab) {
          throw new IllegalArgumentException("Label " + next + " at batch row " + b + ", position " + (t + 1)
              + " is outside the vocabulary [0, " + vocab + ").");
        }
        target[row] = (int) next;
      }
    }
    return target;
  }

  /** Sum of token losses, number of counted tokens and d(sum)/d(logits) (null unless requested). */
  public record Result(double lossSum, long tokens, INDArray dLogits) {}

  /**
   * @param logits [B·T, V]; overwritten with softmax probabilities (the gradient when {@code withGrad})
   * @param labels [B][T] in row-major order, length B·T
   */
  public static Result compute(INDArray logits, long[] labels, int batch, int seq, boolean withGrad) {
    return rows(logits, targets(labels, batch, seq, (int) logits.size(1)), 0, withGrad);
  }

  /**
   * The loss of a chunk of rows: {@code logits} [n, V] are the rows {@code from … from+n} of a batch
   * whose targets are {@code allTargets} ({@link #targets}); logits are overwritten as in {@link #compute}.
   */
  public static Result rows(INDArray logits, int[] allTargets, int from, boolean withGrad) {
    float[] max = logits.max(true, 1).toFloatVector(); // [n], read before the softmax overwrites the logits
    // p_t underflowed: lse = max − log p_max, as p at the arg-max is exp(0)/Σ
    return rows(logits, allTargets, from, withGrad,
        (row, probs) -> max[row] - Math.log(probs.getRow(row).maxNumber().doubleValue()));
  }

  /**
   * {@link #rows(INDArray, int[], int, boolean)} without the row-max pass over the logits (~5% of a
   * small model's step): a row whose target probability underflows float — rare, the loss is then
   * above ~69 — has its logits recomputed by {@code rowLogits} (chunk-relative row → its [1, V] logits).
   */
  public static Result rows(INDArray logits, int[] allTargets, int from, boolean withGrad, IntFunction<INDArray> rowLogits) {
    return rows(logits, allTargets, from, withGrad, (row, probs) -> logSumExp(rowLogits.apply(row)));
  }

  /** The log-sum-exp of a row of logits, in double. */
  static double logSumExp(INDArray row) {
    double[] z = row.toDoubleVector();
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : z) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  /** The log-sum-exp of a row whose p_t underflowed, given the row and the softmax probabilities [n, V]. */
  private interface UnderflowLse {
    double of(int row, INDArray probs);
  }

  private static Result rows(INDArray logits, int[] allTargets, int from, boolean withGrad, UnderflowLse underflow) {
    int n = (int) logits.size(0);
    int[] target = java.util.Arrays.copyOfRange(allTargets, from, from + n);
    long count = 0;
    for (int t : target) {
      count += t >= 0 ? 1 : 0;
    }
    // Loss of row r: -log p_t = lse − z_t. Read z_t, then one native softmax op (max, exp, sum, divide
    // fused; ~2× cheaper than composing them) turns the logits into p.
    float[] zt = new float[n];
    for (int row = 0; row < n; row++) {
      if (target[row] >= 0) {
        zt[row] = logits.getFloat(row, target[row]);
      }
    }
    INDArray probs = logits; // [N, V], in place
    Nd4j.exec(new SoftMax(probs, probs, 1));
    double lossSum = 0;
    for (int row = 0; row < n; row++) {
      if (target[row] < 0) {
        continue;
      }
      float pt = probs.getFloat(row, target[row]);
      if (pt >= TINY) {
        lossSum -= Math.log(pt);
      } else {
        lossSum += underflow.of(row, probs) - zt[row];
      }
    }
    if (!withGrad) {
      return new Result(lossSum, count, null);
    }
    // d(sum of losses)/dz = softmax(z) − onehot(target), zero on ignored rows.
    for (int row = 0; row < n; row++) {
      if (target[row] >= 0) {
        probs.putScalar(row, target[row], probs.getFloat(row, target[row]) - 1f);
      } else {
        probs.getRow(row).assign(0);
      }
    }
    return new Result(lossSum, count, probs);
  }
}
