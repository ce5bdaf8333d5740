package org.lorafleet.orchestrator.config;

import java.util.Locale;
import org.lorafleet.trainer.model.Precision;

/**
 * Section {@code train}: how long and how fast to train. Exactly one of {@code maxSteps} and
 * {@code epochs} is set.
 *
 * @param maxSteps optimizer steps to run, >= 1; default 200 when {@code epochs} is not given, else null
 * @param epochs passes over the training data, >= 1; default null
 * @param microBatchSize sequences per worker per forward/backward pass, >= 1; default 4
 * @param gradAccum micro-batches accumulated per optimizer step, >= 1; default 1. The global batch is
 *     workers × micro_batch_size × grad_accum sequences
 * @param lr peak learning rate (AdamW), > 0; default 2.0e-4
 * @param schedule {@code constant}, {@code constant_with_warmup}, {@code linear} or {@code cosine}
 *     (default), with Hugging Face transformers' formulas; {@code constant} ignores warmup
 * @param warmupSteps linear warmup steps, >= 0; default 10
 * @param minLrRatio the cosine schedule decays to minLrRatio × lr, in [0, 1]; default 0.0
 * @param weightDecay AdamW decoupled weight decay, >= 0; default 0.0
 * @param maxGradNorm clip the global gradient norm to this; 0 (or null in YAML) disables clipping; default 1.0
 * @param evalEvery evaluate every this many steps and at the end, >= 0 (0 = only at the end); default 50
 * @param evalMaxSequences eval sequences scored in each evaluation, >= 0: the first this many of the eval
 *     set (in file order), the same whatever the batch size and worker count; 0 (default) = the whole set
 * @param logEvery log metrics every this many steps, >= 1; default 1
 * @param gradientCheckpointing keep only each decoder block's input in forward and recompute the block in
 *     backward: activations shrink to one [batch × length, hidden] array per layer for ~30% more compute;
 *     default false
 * @param precision the frozen base's matmuls: {@code fp32} (default) or {@code bf16} (the base held in
 *     bfloat16, each product with it rounding its input to bfloat16 and accumulating in float32, as
 *     PyTorch's bf16 autocast; LoRA, attention, the loss and AdamW stay float32). Also used by the job's
 *     evaluations
 */
public record TrainConfig(Integer maxSteps, Integer epochs, int microBatchSize, int gradAccum, double lr,
    Schedule schedule, int warmupSteps, double minLrRatio, double weightDecay, double maxGradNorm,
    int evalEvery, int evalMaxSequences, int logEvery, boolean gradientCheckpointing, Precision precision) {

  static final String SECTION = "train";

  /** Learning-rate schedule shapes. */
  public enum Schedule implements YamlNamed {
    CONSTANT, CONSTANT_WITH_WARMUP, LINEAR, COSINE;

    @Override
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public TrainConfig {
    Checks c = new Checks(SECTION);
    c.check(precision != null, "precision", "is required");
    if (maxSteps != null && epochs != null) {
      c.fail("epochs", "cannot be set together with train.max_steps; set one of them (and the other to null)");
    } else if (maxSteps == null && epochs == null) {
      c.fail("max_steps", "is required when train.epochs is not set; set one of them");
    }
    if (maxSteps != null) {
      c.atLeast("max_steps", maxSteps, 1);
    }
    if (epochs != null) {
      c.atLeast("epochs", epochs, 1);
    }
    c.atLeast("micro_batch_size", microBatchSize, 1);
    c.atLeast("grad_accum", gradAccum, 1);
    c.positive("lr", lr);
    c.check(schedule != null, "schedule", "is required");
    c.atLeast("warmup_steps", warmupSteps, 0);
    c.between("min_lr_ratio", minLrRatio, 0, 1, false);
    c.atLeast("weight_decay", weightDecay, 0.0);
    c.atLeast("max_grad_norm", maxGradNorm, 0.0);
    c.atLeast("eval_every", evalEvery, 0);
    c.atLeast("eval_max_sequences", evalMaxSequences, 0);
    c.atLeast("log_every", logEvery, 1);
    c.done();
  }

  /** Without gradient checkpointing, in float32. */
  public TrainConfig(Integer maxSteps, Integer epochs, int microBatchSize, int gradAccum, double lr,
      Schedule schedule, int warmupSteps, double minLrRatio, double weightDecay, double maxGradNorm,
      int evalEvery, int evalMaxSequences, int logEvery) {
    this(maxSteps, epochs, microBatchSize, gradAccum, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm,
        evalEvery, evalMaxSequences, logEvery, false, Precision.FP32);
  }

  /** Whether gradients are clipped ({@code maxGradNorm > 0}). */
  public boolean clipsGradients() {
    return maxGradNorm > 0;
  }

  static TrainConfig read(ConfigNode n) {
    Integer epochs = n.optionalInteger("epochs", null);
    Integer maxSteps = n.optionalInteger("max_steps", epochs == null ? 200 : null);
    int microBatchSize = n.integer("micro_batch_size", 4);
    int gradAccum = n.integer("grad_accum", 1);
    double lr = n.number("lr", 2.0e-4);
    Schedule schedule = n.choice("schedule", Schedule.COSINE, Schedule.class);
    int warmupSteps = n.integer("warmup_steps", 10);
    double minLrRatio = n.number("min_lr_ratio", 0.0);
    double weightDecay = n.number("weight_decay", 0.0);
    Double clip = n.optionalNumber("max_grad_norm", 1.0);
    int evalEvery = n.integer("eval_every", 50);
    int evalMaxSequences = n.integer("eval_max_sequences", 0);
    int logEvery = n.integer("log_every", 1);
    boolean checkpointing = n.bool("gradient_checkpointing", false);
    Precision precision = n.choice("precision", Precision.FP32, Precision.class, Precision::configName);
    return n.attempt(() -> new TrainConfig(maxSteps, epochs, microBatchSize, gradAccum, lr, schedule,
        warmupSteps, minLrRatio, weightDecay, clip == null ? 0.0 : clip, evalEvery, evalMaxSequences, logEvery,
        checkpointing, precision));
  }
}
