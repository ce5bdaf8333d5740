package org.lorafleet.orchestrator.train;

import org.lorafleet.math.optim.LrSchedule;
import org.lorafleet.orchestrator.config.DataConfig;
import org.lorafleet.orchestrator.config.DistributedConfig;
import org.lorafleet.orchestrator.config.LoraConfig;
import org.lorafleet.orchestrator.config.TrainConfig;
import org.lorafleet.orchestrator.data.DataSpec;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.trainer.lora.LoraSettings;

/** Maps config records onto the trainer's and parameter server's own types. */
public final class JobConversions {

  /**
   * Optimizer steps per parameter-server version: {@code local_steps} in local-sgd (a version is one
   * averaging round), else 1. Everything users see and configure (cadences, checkpoint names, logs,
   * results) counts optimizer steps; only the server counts versions.
   */
  static int stepsPerVersion(DistributedConfig d) {
    return d.mode() == UpdateMode.LOCAL_SGD ? d.localSteps() : 1;
  }

  /** Whether a cadence of {@code every} steps (0 = off) has a boundary in (before, after]. */
  static boolean crosses(long before, long after, long every) {
    return every > 0 && after / every > before / every;
  }

  private JobConversions() {}

  static LoraSettings lora(LoraConfig c) {
    return new LoraSettings(c.r(), c.alpha(), c.rslora(), c.dropout(), c.targetModules().names(),
        c.targetModules().regex(), null);
  }

  public static DataSpec data(DataConfig d) {
    return new DataSpec(d.train(), d.eval(), d.evalFraction(), d.format().yamlName(), d.maxSeqLen(), d.packing(),
        d.badRows().yamlName(), d.textField(), d.promptField(), d.completionField(), d.messagesField(), d.addEos(),
        d.shuffle());
  }

  static LrSchedule schedule(TrainConfig t, long totalSteps) {
    return new LrSchedule(LrSchedule.Kind.parse(t.schedule().yamlName()), t.lr(), t.warmupSteps(),
        Math.max(1, totalSteps), t.minLrRatio());
  }

  /**
   * Optimizer steps of the job: {@code max_steps}, or epochs × full global batches per epoch. A global
   * batch is workers × grad_accum × micro_batch_size sequences.
   */
  static long totalSteps(TrainConfig t, DistributedConfig d, long trainSequences) {
    long perStep = (long) d.workers() * t.gradAccum() * t.microBatchSize();
    if (trainSequences < perStep) {
      throw new IllegalArgumentException("The training data packs into " + trainSequences + " sequences, fewer than "
          + "one global batch (distributed.workers " + d.workers() + " × train.grad_accum " + t.gradAccum()
          + " × train.micro_batch_size " + t.microBatchSize() + " = " + perStep + "); use more data or smaller batches.");
    }
    if (t.maxSteps() != null) {
      return t.maxSteps();
    }
    return (long) t.epochs() * (trainSequences / perStep);
  }
}
