package org.lorafleet.ps.optim;

import java.util.Collection;
import org.lorafleet.ps.tensor.FloatTensor;

/** Global L2-norm gradient clipping with {@code torch.nn.utils.clip_grad_norm_} semantics. */
public final class GradientClipping {

  private GradientClipping() {}

  /** Global L2 norm over all values of all tensors, accumulated in double. */
  public static double globalNorm(Collection<FloatTensor> grads) {
    double sum = 0;
    for (FloatTensor t : grads) {
      for (float x : t.data()) {
        sum += (double) x * x;
      }
    }
    return Math.sqrt(sum);
  }

  /**
   * Scales the gradients in place so their global norm is at most {@code maxNorm}, as torch does:
   * {@code coef = min(1, maxNorm / (norm + 1e-6))}. Returns the norm before clipping.
   */
  public static double clipInPlace(Collection<FloatTensor> grads, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("max_grad_norm must be positive, got " + maxNorm + ".");
    }
    double norm = globalNorm(grads);
    double coef = maxNorm / (norm + 1e-6);
    if (coef < 1) {
      float c = (float) coef;
      for (FloatTensor t : grads) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
          d[i] *= c;
        }
      }
    }
    return norm;
  }
}
