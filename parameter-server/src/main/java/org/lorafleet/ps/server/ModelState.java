package org.lorafleet.ps.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafleet.math.optim.AdamW;
import org.lorafleet.math.optim.MeanGradientStep;
import org.lorafleet.math.tensor.FloatTensor;
import org.lorafleet.ps.api.StepOutcome;
import org.lorafleet.ps.api.UpdateMode;
import org.lorafleet.ps.snapshot.ServerSnapshot;
import org.lorafleet.ps.snapshot.WorkerProgress;

/**
 * The weights side of a server: optimizer state, the published versions and the log of applied
 * steps. An update reads the published weights and writes the next version into other arrays
 * (recycled from the version before when nobody reads it, see {@link VersionBuffers}), which are
 * then published as they are: readers never see a half-applied update and no extra copy is made.
 * Not thread-safe except {@link #published()}, {@link #readPublished} and {@link #current()}:
 * guarded by the server's lock.
 */
final class ModelState {

  private final ServerJobSpec config;
  private final AdamW optimizer;
  private final StepLog log = new StepLog();
  private final VersionBuffers versions;

  ModelState(ServerJobSpec config) {
    this.config = config;
    this.optimizer = new AdamW(config.adamW());
    if (config.resumeOptimizer() != null) {
      optimizer.restore(config.resumeOptimizer());
    }
    this.versions = new VersionBuffers(new PublishedVersion(config.startStep(),
        VersionBuffers.frozen(copy(config.initialTensors())), null));
  }

  /** The current published version, never changed afterwards; safe without the lock. */
  PublishedVersion published() {
    return versions.pinned();
  }

  /** Runs {@code reader} on the current version (unchanged until it returns); safe without the lock. */
  <T> T readPublished(java.util.function.Function<PublishedVersion, T> reader) {
    return versions.read(reader);
  }

  /** Current version number and outcome (do not read its tensors outside the lock). */
  PublishedVersion current() {
    return versions.peek();
  }

  long version() {
    return versions.peek().version();
  }

  StepLog log() {
    return log;
  }

  /** Combines the round's pushes (sync: mean gradient + AdamW; local-sgd: delta averaging) and publishes. */
  StepOutcome applyRound(StepRound round) {
    long t0 = System.nanoTime();
    long step = version();
    Map<String, FloatTensor> now = versions.peek().tensors();
    Map<String, FloatTensor> next = versions.nextArrays();
    if (config.mode() == UpdateMode.SYNC) {
      double lr = config.lrSchedule().lr(step);
      MeanGradientStep.Outcome o = round.applySync(optimizer, now, lr, config.maxGradNorm(), next);
      return publish(step, next, round.totals(o.gradNormBeforeClip(), lr), t0);
    }
    now.forEach((k, t) -> System.arraycopy(t.data(), 0, next.get(k).data(), 0, t.size()));
    StepRound.Combined c = round.applyDeltas(next, config.aggregation());
    return publish(step, next, c, t0);
  }

  /** async: one push is one optimizer step on its own mean gradient; publishes. */
  StepOutcome applyAsync(StepRound.Push p) {
    long t0 = System.nanoTime();
    long step = version();
    double lr = config.lrSchedule().lr(step);
    Map<String, FloatTensor> now = versions.peek().tensors();
    Map<String, FloatTensor> next = versions.nextArrays();
    double norm = MeanGradientStep.applyInto(optimizer, now, List.of(p.tensors()), p.tokens(), lr,
        config.maxGradNorm(), next).gradNormBeforeClip();
    return publish(step, next, new StepRound.Combined(p.lossSum(), p.tokens(), norm, lr, 1), t0);
  }

  /** Publishes {@code next} (which nobody else holds) as the next version. */
  private StepOutcome publish(long step, Map<String, FloatTensor> next, StepRound.Combined c, long t0) {
    long version = version() + 1;
    Map<String, FloatTensor> frozen = VersionBuffers.frozen(next);
    double ms = (System.nanoTime() - t0) / 1e6;
    StepOutcome out = new StepOutcome(step, version, c.lossSum() / c.tokens(), c.tokens(), c.gradNorm(), c.lr(),
        c.workers(), ms);
    versions.publish(new PublishedVersion(version, frozen, out));
    log.add(out);
    return out;
  }

  ServerSnapshot snapshot(Map<String, WorkerProgress> progress) {
    PublishedVersion p = versions.peek(); // under the lock: no update runs meanwhile
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    p.tensors().forEach((k, t) -> w.put(k, t.copy()));
    return new ServerSnapshot(config.jobId(), config.mode(), p.version(), w, optimizer.snapshot(), progress,
        p.lastOutcome(), System.currentTimeMillis());
  }

  /** Takes the (already checked, copied, job-ordered) weights and the snapshot's optimizer state and version. */
  void restore(Map<String, FloatTensor> weights, ServerSnapshot s) {
    optimizer.restore(s.optimizer());
    versions.reset(new PublishedVersion(s.version(), VersionBuffers.frozen(weights), s.lastOutcome()));
    log.truncate(s.version());
  }

  private static Map<String, FloatTensor> copy(Map<String, FloatTensor> m) {
    Map<String, FloatTensor> c = new LinkedHashMap<>();
    m.forEach((k, t) -> c.put(k, t.copy()));
    return c;
  }

}
