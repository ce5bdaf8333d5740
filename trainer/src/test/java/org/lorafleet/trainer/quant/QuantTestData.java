package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.lorafleet.trainer.nn.FrozenWeight;
import org.lorafleet.trainer.nn.Nd;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weights for the quantisation tests, written as [out, in] in C order ("canonical"); the [in, out]
 * variant of a test passes the transpose. The NF4 table here is the published bitsandbytes one,
 * typed in independently of the implementation.
 */
final class QuantTestData {

  static final double[] NF4 = {
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0,
  };

  static final int GROUP = 64;

  private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();

  private QuantTestData() {}

  /** Gaussian values with a few 6-sigma outliers, as in trained weights. */
  static float[] gaussian(int n, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rnd.nextGaussian() * 0.02);
      if (rnd.nextInt(200) == 0) {
        v[i] *= 6;
      }
    }
    return v;
  }

  static INDArray array(float[] v, int rows, int cols) {
    Nd.init();
    return Nd4j.create(v.clone(), new long[] {rows, cols}, 'c');
  }

  /** [rows, cols] → [cols, rows]. */
  static float[] transpose(float[] v, int rows, int cols) {
    float[] t = new float[v.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = v[r * cols + c];
      }
    }
    return t;
  }

  /**
   * Quantises canonical [out, in] values in the given layout and returns the dequantised values
   * back in canonical order; dequantises inside a workspace, as the kernels do.
   */
  static float[] roundTrip(float[] w, int out, int in, boolean inOut, Quantization mode, boolean doubleQuant) {
    INDArray stored = inOut ? array(transpose(w, out, in), in, out) : array(w, out, in);
    FrozenWeight q = Quantizer.quantize(stored, inOut, mode, doubleQuant);
    float[] back = dequantise(q);
    return inOut ? transpose(back, in, out) : back;
  }

  /** toFloat() inside a workspace, copied to the heap; checks shape, type and workspace placement. */
  static float[] dequantise(FrozenWeight q) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, "quant-test")) {
      INDArray f = q.toFloat();
      assertArrayEquals(q.shape(), f.shape(), "toFloat() keeps the stored shape");
      assertTrue(f.dataType() == DataType.FLOAT && f.ordering() == 'c', "toFloat() gives C-order float32");
      assertTrue(f.isAttached(), "toFloat() allocates in the active workspace");
      return Nd.flat(f);
    }
  }

  /** Fills {@code floats} values of the test workspace with garbage, so reads of stale memory would show. */
  static void scribbleOverWorkspace(long floats) {
    try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, "quant-test")) {
      Nd4j.createUninitialized(DataType.FLOAT, floats).assign(12345f);
    }
  }

  /** Largest |v| over [from, to). */
  static double absmax(float[] v, int from, int to) {
    double m = 0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }

  /** Half the widest gap between neighbouring NF4 values. */
  static double nf4HalfWidestGap() {
    double gap = 0;
    for (int k = 0; k + 1 < NF4.length; k++) {
      gap = Math.max(gap, NF4[k + 1] - NF4[k]);
    }
    return gap / 2;
  }

  /** Largest |s - mean(s)|: bounds every double-quantisation block's absmax. */
  static double largestDeviationFromMean(double[] s) {
    double mean = 0;
    for (double x : s) {
      mean += x;
    }
    mean /= s.length;
    double dev = 0;
    for (double x : s) {
      dev = Math.max(dev, Math.abs(x - mean));
    }
    return dev;
  }
}
