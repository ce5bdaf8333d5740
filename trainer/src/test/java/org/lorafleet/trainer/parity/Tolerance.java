package org.lorafleet.trainer.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lorafleet.math.tensor.FloatTensor;

/** The reference README's tolerances: relative error ‖x − ref‖ / ‖ref‖ (scalars: |x − ref| / |ref|). */
final class Tolerance {

  static final double LOGITS_AND_LOSSES = 1e-4;
  static final double GRADIENTS_AND_ADAPTERS = 1e-3;
  /**
   * With a bfloat16-rounded base (see docs/models.md, "Memory modes"): logits, losses and gradient
   * norms (measured worst: 0.117, a Gemma 3 gradient norm). Single LoRA gradient tensors, trained
   * adapters and logits after training are not compared in that mode: on these tiny random models an
   * early lora_A gradient is a small difference of large terms, and the weights' rounding moved some
   * by 25–35% (and Gemma 3's adapted logits by 26%) while the losses moved by under 1%.
   */
  static final double BFLOAT16 = 0.15;

  private Tolerance() {}

  static double relative(float[] x, float[] ref) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < ref.length; i++) {
      double d = (double) x[i] - ref[i];
      num += d * d;
      den += (double) ref[i] * ref[i];
    }
    return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
  }

  static void assertClose(String what, FloatTensor actual, FloatTensor expected, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    double rel = relative(actual.data(), expected.data());
    assertTrue(rel <= tol, what + ": relative error " + rel + " exceeds " + tol);
  }

  static void assertClose(String what, double actual, double expected, double tol) {
    double rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
    assertTrue(rel <= tol, what + ": got " + actual + ", reference " + expected + ", relative error " + rel
        + " exceeds " + tol);
  }
}
