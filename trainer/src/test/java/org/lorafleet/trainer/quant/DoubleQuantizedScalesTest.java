package org.lorafleet.trainer.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Second-level quantisation of group scales: 8 bits in blocks of 256 around the mean. */
class DoubleQuantizedScalesTest {

  @Test
  void eachScaleIsWithinHalfAStepOfItsBlockGrid() {
    Random rnd = new Random(41);
    int n = 1000; // three full blocks and a partial one
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = (float) (0.02 + 0.01 * Math.abs(rnd.nextGaussian()) * (i < 256 ? 10 : 1)); // block 0 spreads wider
    }
    GroupScales dq = GroupScales.of(s.clone(), true);
    float[] got = new float[n];
    dq.read(0, got, n);
    double mean = 0;
    for (float x : s) {
      mean += x;
    }
    mean /= n;
    for (int b = 0; b * 256 < n; b++) {
      double dev = 0;
      for (int i = b * 256; i < Math.min(n, (b + 1) * 256); i++) {
        dev = Math.max(dev, Math.abs(s[i] - mean));
      }
      double halfStep = dev / 127 / 2;
      for (int i = b * 256; i < Math.min(n, (b + 1) * 256); i++) {
        assertTrue(Math.abs(got[i] - s[i]) <= halfStep * (1 + 1e-4) + 1e-9,
            "scale " + i + " (block " + b + "): error " + Math.abs(got[i] - s[i]) + " > " + halfStep);
      }
    }
    float[] tail = new float[10];
    dq.read(990, tail, 10);
    for (int i = 0; i < 10; i++) {
      assertEquals(got[990 + i], tail[i], "reading from an offset");
    }
    assertEquals(n + 4 * 4 + 4, dq.bytes(), "a byte per scale, an fp32 per block, the mean");
    assertEquals(n, dq.count());
  }

  @Test
  void equalScalesComeBackExactly() {
    float[] s = new float[300];
    java.util.Arrays.fill(s, 0.0371f);
    float[] got = new float[300];
    GroupScales.of(s, true).read(0, got, 300);
    for (float x : got) {
      assertEquals(0.0371f, x);
    }
  }
}
