package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Element-wise activations with their derivatives, composed from exact primitives with as few
 * temporary arrays as possible (each fresh native array costs more than the arithmetic).
 */
public final class Activations {

  private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
  private static final double GELU_C = 0.044715;

  private Activations() {}

  /** gelu_new output and the tanh term backward reuses. */
  public record Gelu(INDArray out, INDArray tanh) {}

  /** gelu_new (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
  public static Gelu geluNew(INDArray x) {
    INDArray t = x.mul(x); // x²
    t.muli(GELU_C).addi(1.0).muli(x).muli(SQRT_2_OVER_PI); // √(2/π)(x + c·x³)
    Transforms.tanh(t, false);
    INDArray out = t.add(1.0).muli(x).muli(0.5);
    return new Gelu(out, t);
  }

  /**
   * d gelu_new / dx multiplied into {@code dy} in place:
   * 0.5(1+t) + 0.5·x·(1−t²)·√(2/π)·(1+3c·x²), with t the tanh term saved by forward.
   */
  public static INDArray geluNewBackward(INDArray dy, INDArray x, INDArray t) {
    INDArray g = x.mul(x); // x²
    g.muli(3 * GELU_C).addi(1.0).muli(0.5 * SQRT_2_OVER_PI); // 0.5·√(2/π)(1+3c x²)
    INDArray oneMinusT2 = t.mul(t).rsubi(1.0);
    g.muli(oneMinusT2).muli(x).addi(0.5);
    Nd4j.getBlasWrapper().level1().axpy(t.length(), 0.5, t, g); // g += 0.5·t
    return dy.muli(g);
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
