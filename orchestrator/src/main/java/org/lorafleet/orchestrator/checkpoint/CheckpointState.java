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
 */
public record CheckpointState(long step, long seed, Map<String, String> fingerprint, double lastLoss,
    Map<String, String> versions, String config) {

  public CheckpointState {
    if (step < 0) {
      throw new IllegalArgumentException("A checkpoint's step must be >= 0, got " + step + ".");
    }
    fingerprint = Map.copyOf(fingerprint);
    versions = Map.copyOf(versions);
  }
}
