package org.lorafleet.math.optim;

/**
 * Hyper-parameters of AdamW (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization", 2019)
 * with PyTorch's defaults for betas and eps. The learning rate is not here: it comes per step from
 * an {@link LrSchedule}.
 */
public record AdamWSettings(double beta1, double beta2, double eps, double weightDecay)
    implements java.io.Serializable {

  public AdamWSettings {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("AdamW beta1 must be in [0, 1), got " + beta1 + ".");
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("AdamW beta2 must be in [0, 1), got " + beta2 + ".");
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("AdamW eps must be positive, got " + eps + ".");
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("Weight decay must be a finite number >= 0, got " + weightDecay + ".");
    }
  }

  /** torch.optim.AdamW defaults except weight decay (torch's default is 0.01). */
  public static AdamWSettings withWeightDecay(double weightDecay) {
    return new AdamWSettings(0.9, 0.999, 1e-8, weightDecay);
  }
}
