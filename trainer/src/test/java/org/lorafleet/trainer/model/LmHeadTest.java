package org.lorafleet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.nn.ChunkSizes;
import org.lorafleet.trainer.nn.CrossEntropy;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The chunked head + loss against the whole [N, V] logits through CrossEntropy, with an underflowing target. */
class LmHeadTest {

  @AfterEach
  void defaults() {
    ChunkSizes.reset();
  }

  @Test
  void chunkedLossAndGradientEqualTheWholeLogitsEvenWhenATargetUnderflows() {
    Nd.init();
    int n = 6;
    int hidden = 4;
    int vocab = 9;
    SplittableRandom rng = new SplittableRandom(3);
    float[] hv = new float[n * hidden];
    float[] wv = new float[vocab * hidden];
    for (int i = 0; i < hv.length; i++) {
      hv[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < wv.length; i++) {
      wv[i] = (float) rng.nextGaussian();
    }
    wv[7 * hidden] = 0; // vocabulary entry 7 points far away from hidden row 2 (see below)
    for (int k = 0; k < hidden; k++) {
      wv[7 * hidden + k] = -60f * Math.signum(hv[2 * hidden + k]);
    }
    INDArray h = Nd4j.create(hv, new long[] {n, hidden}, 'c');
    INDArray w = Nd4j.create(wv, new long[] {vocab, hidden}, 'c');
    int[] targets = {1, 0, 7, -1, 8, 3}; // row 2's target logit is about −60·Σ|h|: p underflows float
    INDArray z = Nd4j.gemm(h, w, false, true);
    CrossEntropy.Result whole = CrossEntropy.rows(z, targets, 0, true);
    INDArray dHidden = Nd4j.gemm(whole.dLogits(), w, false, false);
    assertTrue(whole.lossSum() > 150, "the underflow case is exercised: " + whole.lossSum());
    for (boolean thin : new boolean[] {false, true}) {
      if (thin) {
        ChunkSizes.set(1 << 20, 2 * vocab, 1 << 20); // chunks of two rows
      }
      LmHead.Result r = new LmHead(w, 0, false).loss(h, targets, true);
      assertEquals(whole.tokens(), r.tokens());
      assertEquals(whole.lossSum(), r.lossSum(), 1e-5 * whole.lossSum(), "thin chunks: " + thin);
      float[] a = Nd.flat(dHidden);
      float[] b = Nd.flat(r.dHidden());
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-5, "dHidden[" + i + "], thin chunks: " + thin);
      }
    }
    assertEquals(DataType.FLOAT, w.dataType());
  }
}
