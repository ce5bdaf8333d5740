package org.lorafleet.orchestrator.checkpoint;

import java.util.Map;

/**
 * The scalar part of a checkpoint ({@code state.json}): where training stands and what produced it.
 *
 * @param step optimizer steps completed (the next step to run)
 * @param fingerprint config keys that must match to resume (model, LoRA shape, data, seed)
 * @param lastLoss mean training loss of the last completed step (NaN if none)
 * @param versions software versions (lorafleet, java, spark, nd4j)
 * @param config the fully resolved job config as YAML
 * @param runId the run lineage this checkpoint belongs to: made at a fresh start, kept by a run that
 *     continues from its lineage's newest checkpoint, new for a run that branches off an older one
 *     ("legacy" for checkpoints written before run ids existed)
 * @param tokens trained tokens of the whole run up to this step, across resumes
 */
public record CheckpointState(long step, long seed, Map<String, String> fingerprint, double lastLoss,
    Map<String, String> versions, String config, String runId, long tokens) {

  /** Run id of checkpoints written before run ids existed. */
  public static final String LEGACY_RUN = "legacy";

  public CheckpointState {
    if (step < 0) {
      throw new IllegalArgumentException("A checkpoint's step must be >= 0, got " + step + ".");
    }
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("A checkpoint needs its run id.");
    }
    fingerprint = Map.copyOf(fingerprint);
    versions = Map.copyOf(versions);
  }
}
