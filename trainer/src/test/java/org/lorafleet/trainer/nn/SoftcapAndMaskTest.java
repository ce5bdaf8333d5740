package org.lorafleet.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Logit soft-capping against finite differences (double), and which keys a sliding-window query sees. */
class SoftcapAndMaskTest {

  @Test
  void softcapBackwardMatchesFiniteDifferences() {
    Nd.init();
    Random rnd = new Random(3);
    int n = 40;
    double cap = 3.0;
    double[] x = new double[n];
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextGaussian() * 5; // well into the saturated range for some entries
      r[i] = rnd.nextGaussian();
    }
    INDArray saved = Nd4j.create(x.clone(), new long[] {4, 10}, 'c');
    INDArray y = Softcap.forwardInPlace(saved, cap);
    INDArray dx = Softcap.backward(Nd4j.create(r.clone(), new long[] {4, 10}, 'c'), saved);
    double h = 1e-6;
    for (int i = 0; i < n; i++) {
      assertEquals(cap * Math.tanh(x[i] / cap), y.getDouble(i), 1e-12, "forward[" + i + "]");
      double fd = r[i] * (cap * Math.tanh((x[i] + h) / cap) - cap * Math.tanh((x[i] - h) / cap)) / (2 * h);
      assertEquals(fd, dx.getDouble(i), 1e-8 * Math.max(1, Math.abs(fd)), "dx[" + i + "]");
    }
  }

  @Test
  void slidingWindowQuerySeesItselfAndTheWindowBefore() {
    int seq = 7;
    int window = 3;
    INDArray m = CausalAttention.causalMask(seq, 2, window, DataType.FLOAT).reshape(2 * seq, seq);
    for (int row = 0; row < 2 * seq; row++) {
      int q = row % seq;
      for (int k = 0; k < seq; k++) {
        boolean visible = k <= q && k > q - window; // transformers: kv_idx > q_idx - sliding_window
        assertEquals(visible ? 0f : Float.NEGATIVE_INFINITY, m.getFloat(row, k), "query " + q + ", key " + k);
      }
    }
    INDArray full = CausalAttention.causalMask(seq, 1);
    assertTrue(full.getFloat(0, seq * (seq - 1)) == 0f, "a full-attention last query sees the first key");
  }
}
