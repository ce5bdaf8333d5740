package org.lorafleet.trainer.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RMSNorm over the last dimension, {@code y = g · x / sqrt(mean(x²) + eps)} (Zhang &amp; Sennrich 2019),
 * as transformers' LlamaRMSNorm in float32. Gain frozen: backward returns dX only.
 */
public final class RmsNorm {

  private RmsNorm() {}

  /** Saved for backward: the normalised input and 1/rms per row. */
  public record Saved(INDArray xhat, INDArray rstd) {}

  /** @param x [N, H] @param g [H]; returns y [N, H] */
  public static INDArray forward(INDArray x, INDArray g, double eps, Saved[] saved) {
    INDArray ms = x.mul(x).mean(true, 1); // [N, 1]
    INDArray rstd = Transforms.pow(ms.addi(eps), -0.5, false);
    INDArray xhat = x.mulColumnVector(rstd);
    INDArray y = xhat.mulRowVector(g);
    if (saved != null) {
      saved[0] = new Saved(xhat, rstd);
    }
    return y;
  }

  /** dx = rstd · (dxhat − xhat · mean(dxhat · xhat)), with dxhat = dy · g. */
  public static INDArray backward(INDArray dy, INDArray g, Saved s) {
    INDArray dxhat = dy.mulRowVector(g);
    INDArray meanDX = dxhat.mul(s.xhat()).mean(true, 1);
    dxhat.subi(s.xhat().mulColumnVector(meanDX));
    return dxhat.muliColumnVector(s.rstd());
  }
}
