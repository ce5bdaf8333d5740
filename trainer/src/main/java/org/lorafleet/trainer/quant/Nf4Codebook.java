package org.lorafleet.trainer.quant;

import java.util.Arrays;

/**
 * The 16 NF4 values (QLoRA; the table bitsandbytes uses): quantiles of N(0, 1) rescaled to
 * [-1, 1], with an exact 0. Index 7 is 0, so an all-zero group decodes to zeros.
 */
final class Nf4Codebook {

  static final float[] VALUES = {
    -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
    -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
    0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
    0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
  };

  /** MIDPOINTS[k] lies between VALUES[k] and VALUES[k + 1] (exact in double). */
  private static final double[] MIDPOINTS = new double[VALUES.length - 1];

  static {
    for (int k = 0; k < MIDPOINTS.length; k++) {
      MIDPOINTS[k] = ((double) VALUES[k] + VALUES[k + 1]) / 2;
    }
  }

  private Nf4Codebook() {}

  /** The index of the value nearest to {@code x} (a tie goes to the lower one). */
  static int nearest(double x) {
    int at = Arrays.binarySearch(MIDPOINTS, x);
    return at >= 0 ? at : -at - 1; // number of midpoints below x
  }
}
