package org.lorafleet.ps.snapshot;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateMode;

/**
 * A consistent cut of a parameter server, taken between two updates: the weights of {@code
 * version}, the optimizer state that goes with them, and what each worker had contributed. Pushes
 * held for the step in progress are not part of it: after a restore the workers push that step
 * again. Restoring it into a server of the same job (same tensor names and shapes) continues
 * bit-for-bit, because the version fixes the learning rate and the optimizer state fixes the rest.
 *
 * <p>The maps are unmodifiable and the arrays are copies owned by the snapshot; the orchestrator
 * writes them as they are (weights and moments as float arrays, the rest as scalars).
 *
 * @param version the published version; also the next step (round) in sync and local-sgd
 * @param weights tensors of {@code version} in the job's order
 * @param optimizer AdamW moments per tensor and the optimizer's step count (empty moments when no
 *     optimizer step was taken, e.g. in local-sgd)
 * @param workers progress per worker id
 * @param lastOutcome outcome of the update that published {@code version}, or null
 */
public record ServerSnapshot(String jobId, UpdateMode mode, long version, Map<String, FloatTensor> weights,
    AdamW.State optimizer, Map<String, WorkerProgress> workers, StepOutcome lastOutcome, long takenAtMillis) {

  public ServerSnapshot {
    if (version < 0) {
      throw new IllegalArgumentException("A snapshot's version must be >= 0, got " + version + ".");
    }
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("A snapshot needs at least one weight tensor.");
    }
    for (Map.Entry<String, float[]> e : optimizer.firstMoment().entrySet()) {
      FloatTensor w = weights.get(e.getKey());
      if (w == null) {
        throw new IllegalArgumentException("The snapshot's optimizer state names '" + e.getKey()
            + "', which is not one of its weights " + weights.keySet() + ".");
      }
      if (e.getValue().length != w.size() || optimizer.secondMoment().get(e.getKey()).length != w.size()) {
        throw new IllegalArgumentException("The snapshot's optimizer moments of '" + e.getKey()
            + "' do not have the " + w.size() + " elements of the weight.");
      }
    }
    weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    workers = Collections.unmodifiableMap(new LinkedHashMap<>(workers));
  }

  /** The step the next update will have (the version, in sync and local-sgd). */
  public long step() {
    return version;
  }

  /** A copy whose arrays share nothing with this one. */
  public ServerSnapshot deepCopy() {
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    weights.forEach((k, t) -> w.put(k, t.copy()));
    Map<String, float[]> m = new LinkedHashMap<>();
    Map<String, float[]> v = new LinkedHashMap<>();
    optimizer.firstMoment().forEach((k, a) -> m.put(k, a.clone()));
    optimizer.secondMoment().forEach((k, a) -> v.put(k, a.clone()));
    return new ServerSnapshot(jobId, mode, version, w, new AdamW.State(optimizer.step(), m, v), workers,
        lastOutcome, takenAtMillis);
  }
}
