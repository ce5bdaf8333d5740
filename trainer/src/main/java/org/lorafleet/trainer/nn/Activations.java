package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Element-wise activations with their derivatives, composed from exact primitives with as few
 * temporary arrays as possible (each fresh native array costs more than the arithmetic).
 */
public final class Activations {

  private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
  private static final double GELU_C = 0.044715;

  private Activations() {}

  /** gelu_new output and the gate σ(2u) backward reuses. */
  public record Gelu(INDArray out, INDArray gate) {}

  /**
   * gelu_new (GPT-2): 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), computed as x·σ(2u)
   * (0.5·(1 + tanh(u)) = σ(2u); ND4J's sigmoid costs half its tanh).
   */
  public static Gelu geluNew(INDArray x) {
    INDArray s = x.mul(x); // x²
    s.muli(GELU_C).addi(1.0).muli(x).muli(2 * SQRT_2_OVER_PI); // 2u
    Transforms.sigmoid(s, false); // σ(2u)
    return new Gelu(s.mul(x), s);
  }

  /**
   * d gelu_new / dx multiplied into {@code dy} in place: with s = σ(2u) saved by forward,
   * d(x·s)/dx = s + x·2s(1−s)·√(2/π)·(1 + 3c·x²).
   */
  public static INDArray geluNewBackward(INDArray dy, INDArray x, INDArray s) {
    INDArray g = x.mul(x); // x²
    g.muli(3 * GELU_C).addi(1.0).muli(2 * SQRT_2_OVER_PI); // 2·√(2/π)(1+3c x²)
    g.muli(s.rsub(1.0).muli(s)).muli(x).addi(s);
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
