package org.lorafleet.trainer.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.trainer.lora.LoraAdapter;
import org.lorafleet.trainer.model.CausalLm;

/**
 * Single-process LoRA training on one model: gradients of micro-batches, then the shared
 * {@link MeanGradientStep} (token-weighted mean, clipping, AdamW). The distributed path computes
 * gradients with {@link #gradients} on workers and runs the same update on the parameter server.
 */
public final class LoraTrainer {

  private final CausalLm model;
  private final LoraAdapter adapter;
  private final AdamW optimizer;
  private final long seed;
  private final boolean gradientCheckpointing;
  private long step;

  public LoraTrainer(CausalLm model, LoraAdapter adapter, AdamW optimizer, long seed) {
    this(model, adapter, optimizer, seed, false);
  }

  /** @param gradientCheckpointing recompute each decoder block in backward instead of keeping its activations */
  public LoraTrainer(CausalLm model, LoraAdapter adapter, AdamW optimizer, long seed, boolean gradientCheckpointing) {
    this.model = model;
    this.adapter = adapter;
    this.optimizer = optimizer;
    this.seed = seed;
    this.gradientCheckpointing = gradientCheckpointing;
    adapter.attachTo(model);
  }

  public CausalLm model() {
    return model;
  }

  public LoraAdapter adapter() {
    return adapter;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** Optimizer steps taken so far (0-based index of the next step). */
  public long step() {
    return step;
  }

  /** Sets the step counter, e.g. after restoring a checkpoint. */
  public void setStep(long step) {
    this.step = step;
  }

  /**
   * Forward + backward of one micro-batch with the adapter's current values. Dropout randomness is
   * derived from (seed, step, micro-batch index), so a rerun of the same step draws the same masks.
   */
  public MicroBatchGradients gradients(Batch b, long atStep, int microIndex) {
    SplittableRandom rng = adapter.settings().dropout() > 0 ? dropoutRng(seed, atStep, microIndex) : null;
    CausalLm.Gradients g = model.gradients(b.inputIds(), b.labels(), b.batch(), b.seq(), rng, gradientCheckpointing);
    return new MicroBatchGradients(adapter.gradients(g.grads()), g.lossSum(), g.tokens());
  }

  /** One optimizer step over {@code microBatches} (gradient accumulation), with learning rate {@code lr}. */
  public StepReport step(List<Batch> microBatches, double lr, double maxGradNorm) {
    Map<String, FloatTensor> sums = new LinkedHashMap<>();
    double lossSum = 0;
    long tokens = 0;
    for (int i = 0; i < microBatches.size(); i++) {
      MicroBatchGradients g = gradients(microBatches.get(i), step, i);
      MeanGradientStep.accumulate(sums, g.gradSums());
      lossSum += g.lossSum();
      tokens += g.tokens();
    }
    MeanGradientStep.Outcome o = MeanGradientStep.apply(optimizer, adapter.parameters(), sums, tokens, lr, maxGradNorm);
    adapter.syncToModel();
    return new StepReport(step++, lossSum / tokens, tokens, o.gradNormBeforeClip(), lr);
  }

  static SplittableRandom dropoutRng(long seed, long step, int micro) {
    return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (step + 1)) ^ (0xC2B2AE3D27D4EB4FL * (micro + 1)));
  }
}
