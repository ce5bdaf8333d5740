package org.lorafleet.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lorafleet.trainer.safetensors.HalfFloats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * oneDNN's float32 matmul against a double-precision product; and the oneDNN bfloat16 matmul against a double-precision product of the same bf16-rounded inputs
 * (only float32 accumulation may differ), in both weight layouts, on row views and odd shapes.
 */
class OneDnnMatmulTest {

  private static void needsBf16Cpu() {
    assumeTrue(OneDnnMatmul.available(), "this CPU has neither AVX512_BF16 nor AMX");
  }

  @Test
  void theFloat32KernelEqualsTheDoubleProductInBothLayoutsAndOnRowViews() {
    assumeTrue(OneDnnMatmul.floatAvailable(), "this CPU has no AVX-512 or oneDNN is not shipped");
    SplittableRandom rng = new SplittableRandom(7);
    for (int[] mkn : new int[][] {{1, 8, 3}, {37, 65, 129}, {256, 768, 300}}) {
      int m = mkn[0];
      int k = mkn[1];
      int n = mkn[2];
      float[][] x = random(rng, m + 2, k);
      INDArray rows = Nd4j.create(x).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, m + 1),
          org.nd4j.linalg.indexing.NDArrayIndex.all()); // a row view: offset 1 row
      for (boolean transposeW : new boolean[] {true, false}) {
        float[][] wf = transposeW ? random(rng, n, k) : random(rng, k, n);
        INDArray y = OneDnnMatmul.mmFloat(rows, Nd4j.create(wf), transposeW);
        assertArrayEquals(new long[] {m, n}, y.shape());
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double want = 0;
            double scale = 0;
            for (int p = 0; p < k; p++) {
              double term = (double) x[i + 1][p] * (transposeW ? wf[j][p] : wf[p][j]);
              want += term;
              scale += Math.abs(term);
            }
            assertEquals(want, y.getDouble(i, j), 1e-6 * scale + 1e-30, "[" + i + ", " + j + "] of " + m + "x" + k
                + "x" + n + (transposeW ? " (w transposed)" : ""));
          }
        }
      }
    }
  }

  @Test
  void equalsTheExactProductOfTheRoundedInputsInBothLayouts() {
    needsBf16Cpu();
    SplittableRandom rng = new SplittableRandom(5);
    for (int[] mkn : new int[][] {{1, 8, 3}, {37, 65, 129}, {256, 768, 300}}) {
      int m = mkn[0];
      int k = mkn[1];
      int n = mkn[2];
      float[][] x = random(rng, m, k);
      for (boolean transposeW : new boolean[] {true, false}) {
        float[][] wf = transposeW ? random(rng, n, k) : random(rng, k, n);
        INDArray w = bf16(wf);
        float[][] wr = w.castTo(DataType.FLOAT).toFloatMatrix(); // the stored bf16 values, exactly
        INDArray y = OneDnnMatmul.mm(Nd4j.create(x), w, transposeW);
        assertArrayEquals(new long[] {m, n}, y.shape());
        assertEquals(DataType.FLOAT, y.dataType());
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double want = 0;
            double scale = 0;
            for (int p = 0; p < k; p++) {
              double xv = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x[i][p]));
              double wv = transposeW ? wr[j][p] : wr[p][j];
              want += xv * wv;
              scale += Math.abs(xv * wv);
            }
            double got = y.getDouble(i, j);
            assertEquals(want, got, 1e-6 * scale + 1e-30, "[" + i + ", " + j + "] of " + m + "x" + k + "x" + n
                + (transposeW ? " (w transposed)" : ""));
          }
        }
      }
    }
  }

  @Test
  void readsARowRangeOfALargerMatrixInPlace() {
    needsBf16Cpu();
    SplittableRandom rng = new SplittableRandom(6);
    INDArray big = Nd4j.create(random(rng, 40, 32));
    INDArray rows = big.get(NDArrayIndex.interval(10, 30), NDArrayIndex.all()); // offset 320, row stride 32
    INDArray w = bf16(random(rng, 16, 32));
    INDArray fromView = OneDnnMatmul.mm(rows, w, true);
    INDArray fromCopy = OneDnnMatmul.mm(rows.dup(), w, true);
    assertEquals(fromCopy, fromView);
    INDArray columns = big.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 16)); // row stride 32, 16 wide
    INDArray w2 = bf16(random(rng, 16, 8));
    assertEquals(OneDnnMatmul.mm(columns.dup(), w2, false), OneDnnMatmul.mm(columns, w2, false));
  }

  @Test
  void roundingErrorIsThatOfBfloat16Inputs() {
    needsBf16Cpu();
    SplittableRandom rng = new SplittableRandom(7);
    float[][] x = random(rng, 64, 256);
    INDArray w = bf16(random(rng, 128, 256));
    INDArray exact = Nd4j.gemm(Nd4j.create(x), w.castTo(DataType.FLOAT), false, true);
    INDArray y = OneDnnMatmul.mm(Nd4j.create(x), w, true);
    double rel = y.sub(exact).norm2Number().doubleValue() / exact.norm2Number().doubleValue();
    assertTrue(rel > 1e-5 && rel < 1e-2, "relative error of bf16-rounded inputs: " + rel);
  }

  @Test
  void refusesAWeightThatIsNotBfloat16OrShapesThatDoNotFit() {
    needsBf16Cpu();
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 8);
    assertThrows(IllegalArgumentException.class, () -> OneDnnMatmul.mm(x, Nd4j.rand(DataType.FLOAT, 3, 8), true));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OneDnnMatmul.mm(x, Nd4j.rand(DataType.FLOAT, 3, 7).castTo(DataType.BFLOAT16), true));
    assertTrue(e.getMessage().contains("[4, 8]"), e.getMessage());
  }

  private static INDArray bf16(float[][] values) {
    return Nd4j.create(values).castTo(DataType.BFLOAT16);
  }

  private static float[][] random(SplittableRandom rng, int rows, int cols) {
    float[][] a = new float[rows][cols];
    for (float[] row : a) {
      for (int j = 0; j < cols; j++) {
        row[j] = (float) (rng.nextGaussian());
      }
    }
    return a;
  }
}
