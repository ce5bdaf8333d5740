package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm over the last dimension, {@code y = (x - mean) / sqrt(var + eps) * g + b} with the biased
 * variance, as {@code torch.nn.LayerNorm}. Gain and bias are frozen: backward returns dX only.
 */
public final class LayerNorm {

  private LayerNorm() {}

  /** Saved for backward: the normalised input and 1/sqrt(var + eps) per row. */
  public record Saved(INDArray xhat, INDArray rstd) {}

  /** @param x [N, H] @param g [H] @param b [H] or null; returns y [N, H] and fills {@code saved[0]} */
  public static INDArray forward(INDArray x, INDArray g, INDArray b, double eps, Saved[] saved) {
    INDArray mean = x.mean(true, 1); // [N, 1]
    INDArray xc = x.subColumnVector(mean);
    INDArray var = xc.mul(xc).mean(true, 1);
    INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false); // [N, 1]
    INDArray xhat = xc.muliColumnVector(rstd);
    INDArray y = xhat.mulRowVector(g);
    if (b != null) {
      y.addiRowVector(b);
    }
    if (saved != null) {
      saved[0] = new Saved(xhat, rstd);
    }
    return y;
  }

  /** dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat)), with dxhat = dy · g. */
  public static INDArray backward(INDArray dy, INDArray g, Saved s) {
    INDArray dxhat = dy.mulRowVector(g);
    INDArray meanD = dxhat.mean(true, 1);
    INDArray meanDX = dxhat.mul(s.xhat()).mean(true, 1);
    INDArray dx = dxhat.subiColumnVector(meanD);
    dx.subi(s.xhat().mulColumnVector(meanDX));
    return dx.muliColumnVector(s.rstd());
  }
}
