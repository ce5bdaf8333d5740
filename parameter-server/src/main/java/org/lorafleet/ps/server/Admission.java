package org.lorafleet.ps.server;

import org.lorafleet.ps.api.PsException;
import org.lorafleet.ps.api.Refusal;
import org.lorafleet.ps.api.UpdateKind;
import org.lorafleet.ps.api.UpdateMode;

/** Which pushes a server accepts, given its state. Stateless; called under the server's lock. */
final class Admission {

  private Admission() {}

  /**
   * Throws the refusal for a push that must not be taken; returns true for a duplicate (same
   * worker, same step, still held; or async: same base version as the worker's last push).
   */
  static boolean check(ServerJobSpec config, WorkerRegistry workers, long version, StepRound pending, UpdateKind kind,
      String workerId, long step) {
    UpdateKind expected = config.mode() == UpdateMode.LOCAL_SGD ? UpdateKind.WEIGHT_DELTAS : UpdateKind.GRADIENT_SUMS;
    if (kind != expected) {
      throw new PsException(Refusal.WRONG_MODE, "Job '" + config.jobId() + "' runs in mode "
          + config.mode().configName() + ", which takes " + describe(expected) + ", but worker '" + workerId
          + "' pushed " + describe(kind) + ".");
    }
    WorkerRegistry.Worker w = workers.require(workerId, System.nanoTime());
    if (step > version) {
      throw new PsException(Refusal.FUTURE_STEP, "Worker '" + workerId + "' pushed for step " + step
          + ", but the current version is " + version + "; pull version " + version + " and push for it.");
    }
    if (config.mode() == UpdateMode.ASYNC) {
      if (step == w.lastPushedStep) {
        return true;
      }
      if (step < w.lastPushedStep) {
        throw new PsException(Refusal.OLD_STEP, "Worker '" + workerId + "' already pushed an update computed on version "
            + w.lastPushedStep + "; its update computed on the older version " + step + " is refused.");
      }
      if (version - step > config.staleness()) {
        throw new PsException(Refusal.STALE, "Worker '" + workerId + "' pushed an update computed on version " + step
            + ", " + (version - step) + " versions behind the current version " + version + " (staleness bound "
            + config.staleness() + "); pull the current version and recompute.");
      }
      return false;
    }
    if (step < version) {
      if (w.lastAppliedStep == step) {
        throw new PsException(Refusal.ALREADY_APPLIED, "Step " + step + " was already applied with worker '"
            + workerId + "'s update; the current version is " + version + ". Pull it and push step " + version + ".");
      }
      throw new PsException(Refusal.OLD_STEP, "Step " + step + " was already applied without worker '" + workerId
          + "'s update (the current version is " + version + "); a late push is never applied. Pull version "
          + version + ".");
    }
    return pending.contains(workerId);
  }

  /** Why a sync step or local-sgd round failed: who did not push, and what to do. */
  static String failureMessage(ServerJobSpec config, WorkerRegistry workers, StepRound pending, long step) {
    java.util.Set<String> missing = new java.util.TreeSet<>(workers.currentIds());
    missing.removeAll(pending.workers());
    int registered = workers.currentIds().size();
    String who = missing.isEmpty() ? "" : "worker(s) " + workers.lastSeen(missing, System.nanoTime());
    if (registered < config.expectedWorkers()) {
      who += (who.isEmpty() ? "" : " and ") + (config.expectedWorkers() - registered)
          + " worker(s) that never registered";
    }
    return (config.mode() == UpdateMode.LOCAL_SGD ? "Round " : "Step ") + step + " of job '" + config.jobId()
        + "' failed: " + who + " did not push within " + config.stepTimeout().toMillis() + " ms of the first push"
        + " (pushed: " + pending.sortedWorkers() + "). The version stays " + step + "; register the workers again "
        + "and push step " + step + ".";
  }

  private static String describe(UpdateKind k) {
    return k == UpdateKind.GRADIENT_SUMS ? "gradient sums" : "weight deltas";
  }
}
