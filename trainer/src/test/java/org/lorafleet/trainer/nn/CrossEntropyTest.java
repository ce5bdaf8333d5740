package org.lorafleet.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** CrossEntropy against plain double arithmetic, including a target whose probability underflows float. */
class CrossEntropyTest {

  @Test
  void matchesPlainJavaIncludingUnderflowAndIgnoredLabels() {
    Nd.init();
    int batch = 2;
    int seq = 3;
    int vocab = 7;
    int n = batch * seq;
    SplittableRandom rng = new SplittableRandom(5);
    float[] z = new float[n * vocab]; // [N, V]
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) rng.nextGaussian();
    }
    long[] labels = {0, 3, -100, 2, 5, 6};
    z[3 * vocab + 5] = -300f; // row 3 predicts label 5: p ≈ e^-300, zero in float
    double refLoss = 0;
    double[] refGrad = new double[n * vocab];
    long refCount = 0;
    for (int row = 0; row < n; row++) {
      long next = row % seq + 1 < seq ? labels[row + 1] : -100;
      if (next == -100) {
        continue;
      }
      refCount++;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < vocab; j++) {
        max = Math.max(max, z[row * vocab + j]);
      }
      double sum = 0;
      for (int j = 0; j < vocab; j++) {
        sum += Math.exp(z[row * vocab + j] - max);
      }
      refLoss += max + Math.log(sum) - z[row * vocab + (int) next];
      for (int j = 0; j < vocab; j++) {
        refGrad[row * vocab + j] = Math.exp(z[row * vocab + j] - max) / sum - (j == next ? 1 : 0);
      }
    }
    CrossEntropy.Result eval = CrossEntropy.compute(Nd4j.create(z.clone(), new long[] {n, vocab}, 'c'), labels,
        batch, seq, false);
    CrossEntropy.Result r = CrossEntropy.compute(Nd4j.create(z.clone(), new long[] {n, vocab}, 'c'), labels,
        batch, seq, true);
    assertEquals(refCount, r.tokens());
    assertEquals(refLoss, eval.lossSum(), 1e-4 * refLoss);
    assertEquals(refLoss, r.lossSum(), 1e-4 * refLoss);
    float[] grad = Nd.flat(r.dLogits());
    for (int i = 0; i < grad.length; i++) {
      assertEquals(refGrad[i], grad[i], 1e-6, "dLogits[" + i + "]");
    }
    // Without the row-max pass: the underflowed row's logits come back from the callback, and only that row's.
    INDArray original = Nd4j.create(z.clone(), new long[] {n, vocab}, 'c');
    java.util.List<Integer> asked = new java.util.ArrayList<>();
    CrossEntropy.Result lean = CrossEntropy.rows(Nd4j.create(z.clone(), new long[] {n, vocab}, 'c'),
        CrossEntropy.targets(labels, batch, seq, vocab), 0, true, row -> {
          asked.add(row);
          return original.getRow(row, true);
        });
    assertEquals(java.util.List.of(3), asked);
    assertEquals(refLoss, lean.lossSum(), 1e-4 * refLoss);
    assertEquals(refCount, lean.tokens());
    float[] leanGrad = Nd.flat(lean.dLogits());
    for (int i = 0; i < leanGrad.length; i++) {
      assertEquals(refGrad[i], leanGrad[i], 1e-6, "dLogits[" + i + "] without the max pass");
    }
  }
}
