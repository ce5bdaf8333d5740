package org.lorafleet.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Blockwise attention (only the output and per-row log-sum-exp kept; probabilities recomputed in
 * backward) against a plain dense implementation written here from the formula, and its gradients
 * against central finite differences, in double precision with several query chunks.
 */
class CausalAttentionTest {

  private static final int BK = 2;
  private static final int T = 7;
  private static final int D = 3;
  private static final double SCALE = 0.6;

  @ParameterizedTest(name = "group {0}, window {1}, chunk {2}")
  @CsvSource({"1, 0, 2", "2, 0, 3", "2, 3, 2", "1, 2, 1", "3, 0, 7", "2, 4, 5"})
  void blockwiseMatchesDenseAttentionAndItsGradients(int group, int window, int chunk) {
    Nd.init();
    Random rnd = new Random(31L * group + window + 7L * chunk);
    INDArray q = random(rnd, BK, (long) group * T, D);
    INDArray k = random(rnd, BK, T, D);
    INDArray v = random(rnd, BK, T, D);
    INDArray r = random(rnd, BK, (long) group * T, D); // loss = Σ o ⊙ r, so dO = r

    CausalAttention.Saved[] saved = new CausalAttention.Saved[1];
    INDArray o = CausalAttention.forward(q, k, v, SCALE, group, window, chunk, saved);
    INDArray dense = dense(q, k, v, group, window);
    assertTrue(o.equalsWithEps(dense, 1e-12), "blockwise output differs from dense attention");

    INDArray[] grads = CausalAttention.backward(r, saved[0]);
    INDArray[] params = {q, k, v};
    for (int p = 0; p < 3; p++) {
      INDArray x = params[p];
      for (int i = 0; i < x.length(); i++) {
        double orig = x.getDouble(i);
        x.putScalar(i, orig + 1e-6);
        double plus = dense(q, k, v, group, window).mul(r).sumNumber().doubleValue();
        x.putScalar(i, orig - 1e-6);
        double minus = dense(q, k, v, group, window).mul(r).sumNumber().doubleValue();
        x.putScalar(i, orig);
        double fd = (plus - minus) / 2e-6;
        assertEquals(fd, grads[p].getDouble(i), 1e-7 + 1e-6 * Math.abs(fd),
            "d loss / d " + "qkv".charAt(p) + "[" + i + "]");
      }
    }
  }

  /** softmax(q·kᵀ·scale + mask)·v, element by element. */
  private static INDArray dense(INDArray q, INDArray k, INDArray v, int group, int window) {
    INDArray o = Nd4j.zeros(DataType.DOUBLE, BK, (long) group * T, D);
    for (int b = 0; b < BK; b++) {
      for (int row = 0; row < group * T; row++) {
        int pos = row % T;
        double[] s = new double[T];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < T; j++) {
          boolean visible = j <= pos && (window <= 0 || j > pos - window);
          if (!visible) {
            s[j] = Double.NEGATIVE_INFINITY;
            continue;
          }
          double dot = 0;
          for (int e = 0; e < D; e++) {
            dot += q.getDouble(b, row, e) * k.getDouble(b, j, e);
          }
          s[j] = dot * SCALE;
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < T; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        for (int e = 0; e < D; e++) {
          double acc = 0;
          for (int j = 0; j < T; j++) {
            acc += s[j] / sum * v.getDouble(b, j, e);
          }
          o.putScalar(new long[] {b, row, e}, acc);
        }
      }
    }
    return o;
  }

  private static INDArray random(Random rnd, long... shape) {
    INDArray a = Nd4j.zeros(DataType.DOUBLE, shape);
    for (int i = 0; i < a.length(); i++) {
      a.putScalar(i, rnd.nextGaussian());
    }
    return a;
  }
}
