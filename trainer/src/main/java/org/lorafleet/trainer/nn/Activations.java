package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Element-wise activations with their derivatives, composed from exact primitives. */
public final class Activations {

  private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
  private static final double GELU_C = 0.044715;

  private Activations() {}

  /** gelu_new (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Returns a new array. */
  public static INDArray geluNew(INDArray x) {
    INDArray t = geluTanh(x);
    return t.addi(1.0).muli(x).muli(0.5);
  }

  /** d gelu_new / dx, multiplied into {@code dy} in place: 0.5(1+t) + 0.5·x·(1−t²)·√(2/π)·(1+3c·x²). */
  public static INDArray geluNewBackward(INDArray dy, INDArray x) {
    INDArray t = geluTanh(x);
    INDArray x2 = x.mul(x);
    INDArray inner = x2.muli(3 * GELU_C).addi(1.0).muli(SQRT_2_OVER_PI); // √(2/π)(1+3c x²)
    INDArray oneMinusT2 = t.mul(t).rsubi(1.0);
    INDArray grad = oneMinusT2.muli(inner).muli(x).muli(0.5);
    grad.addi(t.addi(1.0).muli(0.5));
    return dy.muli(grad);
  }

  private static INDArray geluTanh(INDArray x) {
    INDArray cube = x.mul(x).muli(x);
    INDArray u = cube.muli(GELU_C).addi(x).muli(SQRT_2_OVER_PI);
    return Transforms.tanh(u, false);
  }

  /** SiLU x·σ(x). Returns a new array. */
  public static INDArray silu(INDArray x) {
    return Transforms.sigmoid(x, true).muli(x);
  }

  /** d SiLU / dx = σ(x)·(1 + x·(1 − σ(x))), multiplied into {@code dy} in place. */
  public static INDArray siluBackward(INDArray dy, INDArray x) {
    INDArray s = Transforms.sigmoid(x, true);
    INDArray grad = s.rsub(1.0).muli(x).addi(1.0).muli(s);
    return dy.muli(grad);
  }
}
