package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Causal-LM cross-entropy as transformers computes it: position t of row b predicts
 * {@code labels[b, t+1]}; positions whose next label is -100 (and the last position) are ignored.
 * Returns the <em>sum</em> of token losses and the token count separately, so that micro-batches
 * and workers can be combined exactly (mean = total sum / total count).
 */
public final class CrossEntropy {

  public static final long IGNORE_INDEX = -100;

  private CrossEntropy() {}

  /** Sum of token losses, number of counted tokens and d(sum)/d(logits) (null unless requested). */
  public record Result(double lossSum, long tokens, INDArray dLogits) {}

  /**
   * @param logits [B·T, V]; overwritten with softmax probabilities when {@code withGrad}
   * @param labels [B][T] in row-major order, length B·T
   */
  public static Result compute(INDArray logits, long[] labels, int batch, int seq, boolean withGrad) {
    int n = batch * seq;
    int vocab = (int) logits.size(1);
    int[] target = new int[n];
    float[] valid = new float[n];
    long count = 0;
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
        valid[row] = 1f;
        count++;
      }
    }
    INDArray max = logits.max(true, 1); // [N, 1]
    INDArray shifted = withGrad ? logits.subiColumnVector(max) : logits.subColumnVector(max);
    double lossSum = 0;
    for (int row = 0; row < n; row++) {
      if (target[row] >= 0) {
        lossSum -= shifted.getDouble(row, target[row]); // −(z_target − max)
      }
    }
    INDArray exp = Transforms.exp(shifted, false);
    INDArray sumExp = exp.sum(true, 1); // [N, 1]
    float[] sumV = sumExp.toFloatVector();
    for (int row = 0; row < n; row++) {
      if (target[row] >= 0) {
        lossSum += Math.log(sumV[row]); // + log Σ exp(z − max)
      }
    }
    if (!withGrad) {
      return new Result(lossSum, count, null);
    }
    // d(sum of losses)/dz = softmax(z) − onehot(target), zero on ignored rows.
    INDArray probs = exp.diviColumnVector(sumExp);
    for (int row = 0; row < n; row++) {
      if (target[row] >= 0) {
        probs.putScalar(row, target[row], probs.getFloat(row, target[row]) - 1f);
      }
    }
    probs.muliColumnVector(Nd4j.create(valid, new long[] {n, 1}, 'c'));
    return new Result(lossSum, count, probs);
  }
}
