package org.lorafleet.orchestrator.train;

import java.io.Serializable;
import java.time.Duration;
import org.lorafleet.math.optim.AdamWSettings;
import org.lorafleet.math.optim.LrSchedule;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.trainer.lora.LoraSettings;
import org.lorafleet.trainer.model.LoadOptions;

/**
 * Everything a worker task needs, shipped from the driver with the barrier stage. Holds no secret:
 * the job secret never leaves the driver, and the worker token derived from it travels as a Spark
 * local property ({@link BarrierWorker#TOKEN_PROPERTY}).
 *
 * @param psHost parameter-server address as executors reach it
 * @param psTrustPem the PEM certificate(s) workers trust for the server's TLS (public material: the
 *     server's certificate chain), or null when the server speaks plaintext
 * @param load how executors hold the frozen base (precision, quantisation)
 * @param gradientCheckpointing recompute decoder blocks in backward
 * @param totalSteps optimizer steps of the whole job (sync/async) or local steps (local-sgd); the
 *     learning-rate schedule spans them
 * @param endStep workers stop at this step, &lt;= totalSteps (less when the job runs only a segment of its
 *     schedule, as sweeps with early stopping do)
 * @param failAt test hook "worker:step": that worker fails at that step on the stage's first attempt
 *     ("worker:step:always": on every attempt, so the job dies); null normally
 */
public record TrainPlan(String jobId, String psHost, int psPort, String psTrustPem, String modelLocation, LoadOptions load,
    boolean gradientCheckpointing, LoraSettings lora,
    UpdateMode mode, int workers, int microBatchSize, int gradAccum, long totalSteps, long endStep, int localSteps, long seed,
    Duration stepTimeout, AdamWSettings adamW, LrSchedule schedule, double maxGradNorm, String failAt)
    implements Serializable {

  public TrainPlan {
    if (endStep < 0 || endStep > totalSteps) {
      throw new IllegalArgumentException("The end step " + endStep + " must lie in [0, " + totalSteps + "].");
    }
  }

  /** Sequences one worker consumes per optimizer step. */
  public int sequencesPerWorkerStep() {
    return microBatchSize * gradAccum;
  }

  /** The worker that trains on the sequence with global index {@code index} (blocks of g·b, round robin). */
  public int workerOf(long index) {
    return (int) ((index / sequencesPerWorkerStep()) % workers);
  }
}
