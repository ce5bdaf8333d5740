package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Logit soft-capping {@code y = c·tanh(x/c)} (Gemma 2/3's {@code final_logit_softcapping}), which
 * bounds values to (−c, c) smoothly. Backward: {@code dx = dy·(1 − tanh²(x/c))}.
 */
public final class Softcap {

  private Softcap() {}

  /** @param x any shape; overwritten with tanh(x/c) (the saved state backward needs) @return c·tanh(x/c), new */
  public static INDArray forwardInPlace(INDArray x, double cap) {
    Transforms.tanh(x.divi(cap), false);
    return x.mul(cap);
  }

  /** dy ⊙ (1 − t²) with t the array {@link #forwardInPlace} left behind; dy is updated in place. */
  public static INDArray backward(INDArray dy, INDArray tanhSaved) {
    return dy.muli(tanhSaved.mul(tanhSaved).rsubi(1.0));
  }
}
